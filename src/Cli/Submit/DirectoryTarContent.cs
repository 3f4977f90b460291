using System.Formats.Tar;
using System.Net;

namespace LayerLens.Cli.Submit;

/// <summary>A directory sent as a tar stream, written while the request is sent (never buffered, never a temp file).</summary>
internal sealed class DirectoryTarContent(string directory) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
    {
        await using var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true);
        var root = Path.GetFullPath(directory);
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var name = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (name == ".git" || name.StartsWith(".git/", StringComparison.Ordinal))
            {
                continue; // history is not build context
            }
            await tar.WriteEntryAsync(path, name);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
