using System.Collections.Concurrent;
using LayerLens.Analyzer.Images.Registry;

namespace LayerLens.Web.Rebuilds;

/// <summary>
/// The destination credentials of a queued rebuild, held in this process' memory only: handed over by the request
/// that starts the rebuild, taken (and so forgotten) by its job. Never written to the state file, the job queue,
/// the database or a log. A job that runs in another process, or after a restart, does not find them and fails
/// saying so; the user starts the rebuild again.
/// </summary>
public sealed class RebuildPushCredentials
{
    private readonly ConcurrentDictionary<Guid, RegistryCredentials> _waiting = new();

    public void Hand(Guid analysisId, RegistryCredentials? credentials)
    {
        if (credentials is null)
        {
            _waiting.TryRemove(analysisId, out _);
        }
        else
        {
            _waiting[analysisId] = credentials;
        }
    }

    public RegistryCredentials? Take(Guid analysisId) => _waiting.TryRemove(analysisId, out var credentials) ? credentials : null;
}
