using LayerLens.Data.Model;
using LayerLens.Web.Storage;

namespace LayerLens.Web.Jobs;

/// <summary>
/// The stored inputs of one analysis (upload, Dockerfile, build context, log, history, Dockerfile text) staged on
/// this node for the length of one job. One that is not stored any more is skipped: the pipeline then says which
/// input is gone, as it did before the store existed.
/// </summary>
internal sealed class JobInputs : IDisposable
{
    private readonly List<BlobLease> _leases = [];

    public static async Task<JobInputs> StageAsync(IArtifactStore store, Analysis analysis, CancellationToken cancellationToken)
    {
        var inputs = new JobInputs();
        try
        {
            foreach (var digest in StoredInputs.Of(analysis))
            {
                try
                {
                    inputs._leases.Add(await store.StageBlobAsync(analysis.WorkspaceId, digest, cancellationToken));
                }
                catch (ArtifactMissingException)
                {
                    // Reported by the pipeline that needs it (an optional one, like the Dockerfile text, is simply absent).
                }
            }
            return inputs;
        }
        catch
        {
            inputs.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var lease in _leases)
        {
            lease.Dispose();
        }
        _leases.Clear();
    }
}
