namespace LayerLens.Analyzer.Blobs;

/// <summary>Parsing and checking <c>sha256:&lt;hex&gt;</c> digests (other algorithms are not accepted).</summary>
public static class Digests
{
    public static byte[] ParseSha256(string digest, string what)
    {
        if (!TryParseSha256(digest, out var bytes))
        {
            throw new InvalidImageException($"{what}: '{digest}' is not a sha256 digest");
        }
        return bytes;
    }

    public static bool TryParseSha256(string? digest, out byte[] bytes)
    {
        bytes = [];
        if (digest is null || !digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 7 + 64)
        {
            return false;
        }
        var hex = digest.AsSpan(7);
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        bytes = Convert.FromHexString(hex);
        return true;
    }

    /// <summary>The path of a blob inside an OCI layout.</summary>
    public static string LayoutPath(string digest, string what)
    {
        ParseSha256(digest, what);
        return "blobs/sha256/" + digest[7..];
    }
}
