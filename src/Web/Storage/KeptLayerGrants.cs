using System.Security.Cryptography;
using System.Text;

namespace LayerLens.Web.Storage;

/// <summary>
/// Which workspace downloaded which layer from which repository (registry host + name): an empty marker file
/// <c>&lt;data&gt;/grants/&lt;workspace&gt;/&lt;sha256 of host/name&gt;/&lt;digest hex&gt;</c>, written only after that
/// download was read to the end and its bytes had the digest. A kept blob is served to a pull only when its
/// grant is here: the registry proved access to that workspace for that repository once, by serving the bytes.
/// </summary>
public sealed class KeptLayerGrants(string dataDirectory)
{
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
    private readonly string _root = Path.Combine(dataDirectory, "grants");

    public bool Has(Guid workspaceId, string repository, string digest) => File.Exists(PathOf(workspaceId, repository, digest));

    public void Record(Guid workspaceId, string repository, string digest)
    {
        var path = PathOf(workspaceId, repository, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using (File.Create(path))
        {
        }
    }

    /// <summary>Names made only of hex: no repository text or digest ever becomes a path component as written.</summary>
    private string PathOf(Guid workspaceId, string repository, string digest)
    {
        if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71 || digest.AsSpan(7).ContainsAnyExcept(LowerHex))
        {
            throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
        }
        var repositoryHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository)));
        return Path.Combine(_root, workspaceId.ToString("N"), repositoryHash, digest[7..]);
    }
}
