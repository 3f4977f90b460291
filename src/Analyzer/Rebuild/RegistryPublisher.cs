using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>What a push to a registry sent and what it did not have to.</summary>
public sealed record RegistryPushSummary
{
    /// <summary><c>host/repository:tag</c> as pushed.</summary>
    public required string Reference { get; init; }

    /// <summary>The manifest's digest, as the registry confirmed it.</summary>
    public required string Digest { get; init; }

    /// <summary>Blob bytes sent.</summary>
    public required long BytesUploaded { get; init; }

    /// <summary>Blob bytes the registry already had (in the repository, or mounted from the source's repository).</summary>
    public required long BytesSkipped { get; init; }

    public required int BlobsUploaded { get; init; }
    public required int BlobsSkipped { get; init; }
}

/// <summary>
/// Pushes a proved layout to <c>docker://REF</c>: layers (kept ones first, so a registry that has them is
/// sent nothing), the config, then the manifest by tag — the one step that makes the push visible, so a
/// failure before it tags nothing. Blobs stream from the layout's files.
/// </summary>
internal static class RegistryPublisher
{
    /// <summary>
    /// A pusher for the destination; mounts from the source's repository when it is on the same registry.
    /// Asks once, before any work, whether the tag exists: refused without <c>--force</c> (also proves the
    /// credentials and the address early).
    /// </summary>
    public static async Task<RegistryPusher> OpenAsync(RebuildRequest request, CancellationToken ct)
    {
        var target = request.Destination.Registry!;
        string[] mount = [];
        if (request.Source.Kind == ImageSourceKind.Registry)
        {
            var source = RegistryReference.Parse(request.Source.Location);
            mount = source.Host == target.Host ? [source.Repository] : [];
        }
        var pusher = new RegistryPusher(target, request.DestinationRegistry ?? request.Options.Registry, mount, request.DestinationHandlerForTesting);
        try
        {
            if (!request.Force && await pusher.ManifestExistsAsync(target.Reference, ct))
            {
                throw new RebuildRefusedException($"{target} exists; pass --force to replace the tag");
            }
            return pusher;
        }
        catch
        {
            pusher.Dispose();
            throw;
        }
    }

    public static async Task<RegistryPushSummary> PushAsync(RegistryPusher pusher, string layout, IReadOnlyList<WrittenBlob> layers, WrittenBlob config, WrittenBlob manifest,
        IProgress<string>? progress, CancellationToken ct)
    {
        long uploaded = 0, skipped = 0;
        int sent = 0, had = 0;
        foreach (var (blob, i) in layers.Append(config).Select((b, i) => (b, i)))
        {
            progress?.Report(i < layers.Count ? $"pushing layer {i} ({blob.Size:N0} bytes)" : "pushing the config");
            var path = BlobPath(layout, blob.Digest);
            var pushed = await pusher.PushBlobAsync(blob.Digest, blob.Size, _ => Task.FromResult<Stream>(File.OpenRead(path)), ct);
            if (pushed.Outcome == BlobPushOutcome.Uploaded)
            {
                uploaded += pushed.BytesUploaded;
                sent++;
            }
            else
            {
                skipped += blob.Size;
                had++;
            }
        }
        progress?.Report($"tagging {pusher.Target}");
        var bytes = await File.ReadAllBytesAsync(BlobPath(layout, manifest.Digest), ct);
        var result = await pusher.PutManifestAsync(pusher.Target.Reference, manifest.MediaType, bytes, ct);
        return new RegistryPushSummary
        {
            Reference = pusher.Target.ToString(),
            Digest = result.Digest,
            BytesUploaded = uploaded,
            BytesSkipped = skipped,
            BlobsUploaded = sent,
            BlobsSkipped = had,
        };
    }

    private static string BlobPath(string layout, string digest) => Path.Combine(OciLayoutWriter.BlobsDir(layout), digest["sha256:".Length..]);
}
