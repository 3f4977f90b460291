using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data.Blobs;
using LayerLens.Web.Configuration;

namespace LayerLens.Web.Storage.Registry;

/// <summary>
/// An OCI registry (CNCF Distribution, Debian's docker-registry; in production backed by S3, GCS or Azure) as the
/// store several machines share. Each workspace has its own repositories, <c>&lt;prefix&gt;/ws-&lt;id&gt;/uploads</c>
/// (uploads as plain blobs) and <c>&lt;prefix&gt;/ws-&lt;id&gt;/results</c> (one OCI artifact per run, tagged
/// <c>&lt;analysis&gt;-&lt;run&gt;</c>). Every read goes through the workspace's own repository — never by digest
/// alone — and every byte read is checked against its digest. The store's host is the operator's setting, so it is
/// reached without the private-address guard that applies to registries users name; plain HTTP only for hosts in
/// <c>LayerLens:Registries:Insecure</c>.
/// </summary>
public sealed partial class RegistryArtifactStore : IArtifactStore
{
    private const string EmptyJsonDigest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    private readonly string _host;
    private readonly string _prefix;
    private readonly RegistryOptions _options;
    private readonly BlobStore _scratch;
    private readonly string _resultCache;
    private readonly ILogger<RegistryArtifactStore> _logger;

    public RegistryArtifactStore(ResolvedSettings settings, BlobStore scratch, ILogger<RegistryArtifactStore> logger)
    {
        var storage = settings.Storage;
        var url = storage.RegistryUrl ?? throw new InvalidOperationException("LayerLens:Storage:Registry:Url is not set");
        _host = url.Authority;
        if (url.Scheme == Uri.UriSchemeHttp && !settings.InsecureRegistries.Contains(_host, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"LayerLens:Storage:Registry:Url is plain HTTP, but its host {_host} is not in LayerLens:Registries:Insecure");
        }
        _prefix = storage.RegistryPrefix;
        _options = new RegistryOptions
        {
            Credentials = storage.RegistryUsername is { Length: > 0 } user ? new RegistryCredentials(user, storage.RegistryPassword ?? "") : null,
            PlainHttpHosts = url.Scheme == Uri.UriSchemeHttp ? [_host] : [],
        };
        _scratch = scratch;
        _resultCache = Path.Combine(settings.DataDirectory, "store-cache", "results");
        _logger = logger;
    }

    public StorageProvider Provider => StorageProvider.Registry;

    /// <summary>The repository of one workspace for one kind of artefact ("uploads", "results").</summary>
    internal string Repository(Guid workspaceId, string kind) => $"{_prefix}/ws-{workspaceId:N}/{kind}";

    private RegistryPusher Open(string repository) => new(new RegistryReference(_host, repository, "latest"), _options);

    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A write and a read back: the empty JSON blob into the store's own health repository.
            using var registry = Open($"{_prefix}/health");
            await registry.PushBlobAsync(EmptyJsonDigest, 2, new MemoryStream("{}"u8.ToArray()), cancellationToken);
            return await registry.BlobSizeAsync(EmptyJsonDigest, cancellationToken) == 2 ? null : "the registry does not serve what it took";
        }
        catch (Exception ex) when (ex is RegistryException or HttpRequestException or IOException)
        {
            _logger.LogWarning(ex, "The registry store does not answer");
            return "the registry does not answer or refuses the store's credentials";
        }
    }

    private static void CheckDigest(string digest)
    {
        if (!LayerLens.Analyzer.Blobs.Digests.TryParseSha256(digest, out _))
        {
            throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
        }
    }
}
