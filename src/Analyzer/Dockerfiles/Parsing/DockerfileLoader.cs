using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// Reads a Dockerfile from disk as hostile input: bounded size, binary files and invalid UTF-8 rejected
/// with the line they occur on. The BOM is kept so the lossless writer can reproduce it.
/// </summary>
public static class DockerfileLoader
{
    /// <summary>Largest file accepted; far above any real Dockerfile, small enough to hold in memory.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SourceText Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FileNotFoundException($"{path}: no such file", path);
        }
        if (info.Length > MaxFileBytes)
        {
            throw new DockerfileParseException($"file is larger than {MaxFileBytes} bytes", 0);
        }
        return Decode(File.ReadAllBytes(path), path);
    }

    public static SourceText Decode(byte[] bytes, string? path = null)
    {
        var nul = Array.IndexOf(bytes, (byte)0);
        if (nul >= 0)
        {
            throw new DockerfileParseException("binary file (NUL byte), not a Dockerfile", LineOf(bytes, nul));
        }
        try
        {
            return new SourceText(StrictUtf8.GetString(bytes), path);
        }
        catch (DecoderFallbackException)
        {
            var at = FirstInvalidUtf8(bytes);
            throw new DockerfileParseException("invalid UTF-8", LineOf(bytes, Math.Max(0, at)));
        }
    }

    private static int FirstInvalidUtf8(byte[] bytes)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? 0 : read;
    }

    private static int LineOf(byte[] bytes, int offset) => bytes.AsSpan(0, Math.Min(offset, bytes.Length)).Count((byte)'\n') + 1;
}
