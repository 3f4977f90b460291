using System.Text.Json;
using LayerLens.Web.Storage;

namespace LayerLens.Web.Rebuilds;

/// <summary>
/// The rebuild's files in results/{id}/rebuild/: <c>active</c> (the claim: created with CreateNew, so of two
/// concurrent starts, in any process sharing the data directory, exactly one wins), <c>state.json</c> (replaced by
/// rename, never seen half-written), <c>cancel</c> (asked by a user, seen by the job's heartbeat) and
/// <c>image.oci.tar</c>, which the engine writes under a temporary name and renames once proved.
/// </summary>
public sealed class RebuildStore(DataLayout layout)
{
    public const string ArchiveName = "image.oci.tar";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Directory(Guid analysisId) => layout.RebuildDirectory(analysisId);

    public string ArchivePath(Guid analysisId) => Path.Combine(Directory(analysisId), ArchiveName);

    private string ClaimPath(Guid analysisId) => Path.Combine(Directory(analysisId), "active");

    private string StatePath(Guid analysisId) => Path.Combine(Directory(analysisId), "state.json");

    private string CancelPath(Guid analysisId) => Path.Combine(Directory(analysisId), "cancel");

    /// <summary>
    /// Claims the analysis' one rebuild slot. A claim whose job stopped beating for <paramref name="staleAfter"/> (its
    /// process died) is moved aside — a rename only one contender wins — and claimed anew.
    /// </summary>
    public bool TryClaim(Guid analysisId, TimeSpan staleAfter)
    {
        System.IO.Directory.CreateDirectory(Directory(analysisId));
        if (TryCreateClaim(analysisId))
        {
            return true;
        }
        var state = Read(analysisId);
        var stale = state is null ? File.GetLastWriteTimeUtc(ClaimPath(analysisId)) : state.HeartbeatAtUtc;
        if (DateTime.UtcNow - stale < staleAfter)
        {
            return false;
        }
        var aside = ClaimPath(analysisId) + ".stale-" + Guid.NewGuid().ToString("N");
        try
        {
            File.Move(ClaimPath(analysisId), aside);
        }
        catch (FileNotFoundException)
        {
            return false; // another contender took it over first
        }
        File.Delete(aside);
        return TryCreateClaim(analysisId);
    }

    private bool TryCreateClaim(Guid analysisId)
    {
        try
        {
            using var _ = new FileStream(ClaimPath(analysisId), FileMode.CreateNew, FileAccess.Write);
            return true;
        }
        catch (IOException) when (File.Exists(ClaimPath(analysisId)))
        {
            return false;
        }
    }

    public void Release(Guid analysisId)
    {
        if (System.IO.Directory.Exists(Directory(analysisId)))
        {
            File.Delete(CancelPath(analysisId));
            File.Delete(ClaimPath(analysisId));
        }
    }

    public void RequestCancel(Guid analysisId) => File.WriteAllText(CancelPath(analysisId), "");

    public bool CancelRequested(Guid analysisId) => File.Exists(CancelPath(analysisId));

    public RebuildState? Read(Guid analysisId)
    {
        try
        {
            return JsonSerializer.Deserialize<RebuildState>(File.ReadAllBytes(StatePath(analysisId)), Json);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public void Write(Guid analysisId, RebuildState state)
    {
        var temp = StatePath(analysisId) + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllBytes(temp, JsonSerializer.SerializeToUtf8Bytes(state, Json));
        File.Move(temp, StatePath(analysisId), overwrite: true);
    }

    /// <summary>The previous outcome and anything an earlier process killed mid-write left (the engine's temporary names).</summary>
    public void ClearOutput(Guid analysisId)
    {
        File.Delete(ArchivePath(analysisId));
        foreach (var entry in System.IO.Directory.EnumerateFileSystemEntries(Directory(analysisId), "." + ArchiveName + ".layerlens-*"))
        {
            if (System.IO.Directory.Exists(entry))
            {
                System.IO.Directory.Delete(entry, recursive: true);
            }
            else
            {
                File.Delete(entry);
            }
        }
    }
}
