using System.Security.Cryptography;
using System.Text;

namespace LayerLens.TestInfrastructure.Images;

/// <summary>
/// Something placed in the build context. Each entry contributes a stable key to the cache hash, so
/// big or generated content is keyed by a description rather than by hashing what it would write.
/// </summary>
public abstract class ContextEntry
{
    internal abstract void AppendKey(IncrementalHash hash);

    internal abstract Task WriteAsync(string contextDirectory, CancellationToken cancellationToken);

    internal static string Resolve(string contextDirectory, string relativePath)
    {
        var full = Path.GetFullPath(Path.Combine(contextDirectory, relativePath));
        var root = Path.GetFullPath(contextDirectory) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(root, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Context path '{relativePath}' escapes the build context.", nameof(relativePath));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return full;
    }

    internal static void SetMode(string path, UnixFileMode mode)
    {
        // The fixtures only run on Linux; the guard keeps the platform analyzer satisfied.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    internal static void AppendText(IncrementalHash hash, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        hash.AppendData(BitConverter.GetBytes(bytes.Length));
        hash.AppendData(bytes);
    }
}

/// <summary>A small file given as bytes.</summary>
public sealed class BytesEntry(string path, byte[] content, UnixFileMode mode) : ContextEntry
{
    internal override void AppendKey(IncrementalHash hash)
    {
        AppendText(hash, $"bytes\n{path}\n{(int)mode}\n");
        hash.AppendData(SHA256.HashData(content));
    }

    internal override async Task WriteAsync(string contextDirectory, CancellationToken cancellationToken)
    {
        var target = Resolve(contextDirectory, path);
        await File.WriteAllBytesAsync(target, content, cancellationToken);
        SetMode(target, mode);
    }
}

/// <summary>A file copied from the host (e.g. /bin/busybox); keyed by a streamed hash of its content.</summary>
public sealed class HostFileEntry(string path, string hostPath, UnixFileMode mode) : ContextEntry
{
    internal override void AppendKey(IncrementalHash hash)
    {
        AppendText(hash, $"host\n{path}\n{(int)mode}\n");
        using var stream = File.OpenRead(hostPath);
        hash.AppendData(SHA256.HashData(stream));
    }

    internal override Task WriteAsync(string contextDirectory, CancellationToken cancellationToken)
    {
        var target = Resolve(contextDirectory, path);
        File.Copy(hostPath, target, overwrite: true);
        SetMode(target, mode);
        return Task.CompletedTask;
    }
}

/// <summary>Content written by a callback (big or many files); the caller's key must change whenever the output would.</summary>
public sealed class GeneratedEntry(string cacheKey, Func<string, CancellationToken, Task> write) : ContextEntry
{
    internal override void AppendKey(IncrementalHash hash) => AppendText(hash, $"generated\n{cacheKey}\n");

    internal override Task WriteAsync(string contextDirectory, CancellationToken cancellationToken) =>
        write(contextDirectory, cancellationToken);
}
