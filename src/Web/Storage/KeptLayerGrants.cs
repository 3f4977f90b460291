using System.Security.Cryptography;
using System.Text;

namespace LayerLens.Web.Storage;

/// <summary>
/// Which workspace downloaded which layer from which repository (registry host + name): a marker file
/// <c>&lt;data&gt;/grants/&lt;workspace&gt;/&lt;sha256 of host/name&gt;/&lt;digest hex&gt;</c> holding the host/name it was
/// granted for, written only after that download was read to the end and its bytes had the digest. A kept blob is
/// served to a pull only while its grant is here, names the same repository, and is younger than its lifetime
/// (<c>LayerLens:Registries:GrantDays</c>): the registry proved access to that workspace for that repository by
/// serving the bytes, and must prove it again — by serving them again — once the grant has expired.
/// Reading a kept layer does not renew its grant; only a new verified download does.
/// </summary>
public sealed class KeptLayerGrants(string dataDirectory, TimeSpan lifetime)
{
    /// <summary>The lifetime when <c>LayerLens:Registries:GrantDays</c> is not set.</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    private const int MaxRepositoryBytes = 4096;
    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
    private readonly string _root = Path.Combine(dataDirectory, "grants");

    public KeptLayerGrants(string dataDirectory)
        : this(dataDirectory, DefaultLifetime)
    {
    }

    public TimeSpan Lifetime => lifetime;

    public bool Has(Guid workspaceId, string repository, string digest)
    {
        var path = PathOf(workspaceId, repository, digest);
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length > MaxRepositoryBytes)
            {
                return false;
            }
            if (Expired(file.LastWriteTimeUtc))
            {
                File.Delete(path);
                return false;
            }
            // The record names the repository itself: a grant is never honoured for another one (nor is a torn record).
            return string.Equals(File.ReadAllText(path, Encoding.UTF8), repository, StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Records (or renews) a grant after a verified download of <paramref name="digest"/> from <paramref name="repository"/>.</summary>
    public void Record(Guid workspaceId, string repository, string digest)
    {
        var path = PathOf(workspaceId, repository, digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, repository, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
    }

    /// <summary>
    /// Removes expired grants and grants of blobs no longer kept (<paramref name="blobKept"/> false for the digest),
    /// then directories left empty; returns how many grants went. Called by blob retention.
    /// </summary>
    public int Sweep(Func<string, bool> blobKept)
    {
        if (!Directory.Exists(_root))
        {
            return 0;
        }
        var removed = 0;
        foreach (var file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            var digest = "sha256:" + name;
            var wellFormed = name.Length == 64 && !name.AsSpan().ContainsAnyExcept(LowerHex);
            if (!wellFormed || Expired(File.GetLastWriteTimeUtc(file)) || !blobKept(digest))
            {
                TryDelete(file);
                removed++;
            }
        }
        foreach (var directory in Directory.EnumerateDirectories(_root, "*", SearchOption.AllDirectories).OrderByDescending(d => d.Length))
        {
            if (!Directory.EnumerateFileSystemEntries(directory).Any())
            {
                try
                {
                    Directory.Delete(directory);
                }
                catch (IOException)
                {
                    // A grant recorded into it just now.
                }
            }
        }
        return removed;
    }

    private bool Expired(DateTime writtenUtc) => writtenUtc < DateTime.UtcNow - lifetime;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Removed by another sweep.
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
