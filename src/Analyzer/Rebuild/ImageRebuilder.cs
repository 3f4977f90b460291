using System.Text.Json.Nodes;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>What to rebuild, where, and how.</summary>
public sealed record RebuildRequest(ImageSourceSpec Source, ImageOpenOptions Options, RebuildDestination Destination)
{
    public RebuildCompression Compression { get; init; } = RebuildCompression.Gzip;
    public int? MaxLayers { get; init; }
    public bool Squash { get; init; }
    public bool Force { get; init; }

    /// <summary>How to reach a <c>docker://</c> destination (its credentials); the source's options when null.</summary>
    public Images.Registry.RegistryOptions? DestinationRegistry { get; init; }

    /// <summary>Where the layout is written and proved before a push (the system temp directory when null).</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Tests only: the HTTP handler of the push (a registry that lies).</summary>
    internal HttpMessageHandler? DestinationHandlerForTesting { get; init; }

    /// <summary>Tests only: called with the unpublished layout directory between writing and the proof.</summary>
    internal Action<string>? AfterWriteForTesting { get; init; }
}

/// <summary>
/// source → analysis (refuses what analyze refuses) → kept prefix → final view with full metadata → layer
/// plan → layout written under a temporary name beside the destination → proof (read back, compared path
/// by path, config compared, dead bytes measured) → published by rename, or pushed to a registry (blobs, then
/// the manifest by tag). Any failure or cancellation deletes the temporary output; the destination is
/// untouched until the proof passed.
/// </summary>
public static class ImageRebuilder
{
    public static async Task<RebuildResult> RunAsync(RebuildRequest request, IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var destination = request.Destination;
        if (destination.Exists && !request.Force)
        {
            throw new RebuildRefusedException($"{destination.Path} exists; pass --force to replace it");
        }
        var toRegistry = destination.Kind == DestinationKind.Registry;
        var parent = toRegistry ? request.WorkDirectory ?? Path.GetTempPath() : Path.GetDirectoryName(destination.Path)!;
        if (!Directory.Exists(parent))
        {
            throw new RebuildRefusedException($"{parent}: no such directory");
        }
        // A registry destination is asked first (tag taken? credentials? address allowed?), before any work.
        using var pusher = toRegistry ? await RegistryPublisher.OpenAsync(request, cancellationToken) : null;
        var limits = request.Options.Limits;
        using var image = await ImageOpener.OpenAsync(request.Source, request.Options, cancellationToken);
        progress?.Report("analysing");
        var analysis = await ImageAnalyzer.AnalyzeAsync(image, limits, null, cancellationToken: cancellationToken);
        var reasons = new List<string>();
        var kept = RebuildPlan.KeptPrefix(analysis, request.Squash, reasons);
        progress?.Report("reading the final filesystem");
        var view = await FinalViewReader.ReadAsync(image, kept, limits, cancellationToken);
        var provided = new long[image.Layers.Count];
        foreach (var e in view.Entries.Values)
        {
            provided[e.Layer] += e.Size;
        }
        var groups = RebuildPlan.Group(kept, image.Layers.Count, provided, request.Squash ? 1 : request.MaxLayers);
        var contents = LayerContents.Plan(view, kept, groups);
        CheckFreeSpace(parent, destination, image, kept, provided);

        var temp = Path.Combine(parent, $".{(toRegistry ? "push" : Path.GetFileName(destination.Path))}.layerlens-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(OciLayoutWriter.BlobsDir(temp));
            var layers = new List<WrittenBlob>();
            for (var i = 0; i < kept; i++)
            {
                progress?.Report($"copying kept layer {i}");
                layers.Add(await OciLayoutWriter.CopyKeptAsync(image.Layers[i], temp, cancellationToken));
            }
            var written = new bool[groups.Count];
            for (var g = 0; g < groups.Count; g++)
            {
                if (contents[g].Count == 0)
                {
                    continue;
                }
                progress?.Report($"writing layer from source layers {groups[g].First}-{groups[g].Last}");
                layers.Add(await LayerBlobWriter.WriteAsync(image, contents[g], request.Compression, OciLayoutWriter.BlobsDir(temp), limits, cancellationToken));
                written[g] = true;
            }
            var sourceConfig = image.ConfigBytes ?? throw new InvalidImageException($"{image.Reference}: the config blob was not kept by its reader");
            var diffIds = layers.Select((l, i) => l.DiffId ?? analysis.Layers[i].DiffId ?? throw new InvalidImageException($"layer {i}: no diff id")).ToList();
            var config = ConfigRewriter.Rewrite(sourceConfig, kept, groups, written, diffIds, image.Layers.Count);
            var configBlob = OciLayoutWriter.WriteJson(temp, config, OciLayoutWriter.ConfigType);
            var manifest = OciLayoutWriter.Finish(temp, configBlob, layers, destination.LayoutTag);
            request.AfterWriteForTesting?.Invoke(temp);

            progress?.Report("proving the rebuilt image equivalent");
            var proof = await ProveAsync(temp, destination.LayoutTag, request.Options, view, sourceConfig, cancellationToken);
            var result = new RebuildResult
            {
                Destination = destination.ToString(),
                ManifestDigest = manifest.Digest,
                KeptLayers = layers.Take(kept).Select((l, i) => new KeptLayer(i, l.Digest)).ToList(),
                KeptReasons = reasons,
                LayersBefore = image.Layers.Count,
                LayersAfter = layers.Count,
                BytesBefore = analysis.SizeBytes,
                BytesAfter = proof.SizeBytes,
                CompressedBytesBefore = analysis.CompressedSizeBytes,
                CompressedBytesAfter = proof.CompressedSizeBytes,
                DeadBytesBefore = DeadBytes(analysis),
                DeadBytesAfter = DeadBytes(proof),
                FinalBytes = proof.FinalBytes,
                FileCount = proof.FileCount,
                PullBytesWithKeptLayers = layers.Skip(kept).Sum(l => l.Size) + configBlob.Size + manifest.Size,
                PathsProved = view.Entries.Count,
            };
            if (pusher is not null)
            {
                // Only a proved image is pushed; the manifest goes last, so a failure tags nothing.
                var push = await RegistryPublisher.PushAsync(pusher, temp, layers, configBlob, manifest, progress, cancellationToken);
                return result with { Push = push };
            }
            progress?.Report("publishing");
            if (destination.Kind == DestinationKind.DockerArchive)
            {
                OciLayoutWriter.WriteDockerManifest(temp, configBlob, layers, destination.Tag);
            }
            Publish(temp, destination);
            return result;
        }
        finally
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }
        }
    }

    public static long DeadBytes(ImageAnalysis analysis) =>
        analysis.Waste.Where(w => w.Kind is WasteKind.Overwritten or WasteKind.MetadataOnly or WasteKind.Deleted).Sum(w => w.Bytes);

    private static async Task<ImageAnalysis> ProveAsync(string layout, string tag, ImageOpenOptions options, FinalView original, byte[] sourceConfig, CancellationToken cancellationToken)
    {
        using var rebuilt = await ImageOpener.OpenAsync(ImageSourceSpec.Parse($"oci:{layout}:{tag}"), options with { Platform = null }, cancellationToken);
        var view = await FinalViewReader.ReadAsync(rebuilt, rebuilt.Layers.Count, options.Limits, cancellationToken);
        var differences = EquivalenceProof.Compare(original, view);
        var before = JsonNode.Parse(sourceConfig)?["config"]?.ToJsonString() ?? "";
        var after = JsonNode.Parse(rebuilt.ConfigBytes!)?["config"]?.ToJsonString() ?? "";
        if (before != after)
        {
            differences.Add($"config: runtime config differs ({before} vs {after})");
        }
        if (differences.Count > 0)
        {
            throw new EquivalenceFailedException(differences);
        }
        var analysis = await ImageAnalyzer.AnalyzeAsync(rebuilt, options.Limits, null, cancellationToken: cancellationToken);
        if (DeadBytes(analysis) != 0)
        {
            throw new EquivalenceFailedException([$"the rebuilt image still ships {DeadBytes(analysis):N0} dead bytes"]);
        }
        return analysis;
    }

    /// <summary>Room for the layout (kept blobs, rewritten layers, their spool) and, for an archive, its copy.</summary>
    private static void CheckFreeSpace(string parent, RebuildDestination destination, ResolvedImage image, int kept, long[] provided)
    {
        var keptBytes = image.Layers.Take(kept).Sum(l => Math.Max(0, l.CompressedSize));
        var rewritten = provided.Skip(kept).Sum();
        var need = keptBytes + 2 * rewritten + (1 << 20);
        if (destination.Kind is DestinationKind.OciArchive or DestinationKind.DockerArchive)
        {
            need += keptBytes + rewritten;
        }
        var free = new DriveInfo(parent).AvailableFreeSpace;
        if (free < need)
        {
            throw new RebuildRefusedException($"{parent}: {free:N0} bytes free, the rebuild needs up to {need:N0}");
        }
    }

    private static void Publish(string temp, RebuildDestination destination)
    {
        if (destination.Kind == DestinationKind.OciLayout)
        {
            if (Directory.Exists(destination.Path))
            {
                Directory.Delete(destination.Path, recursive: true);
            }
            else if (File.Exists(destination.Path))
            {
                File.Delete(destination.Path);
            }
            Directory.Move(temp, destination.Path);
            return;
        }
        var archive = temp + ".tar";
        try
        {
            LayoutArchive.Write(temp, archive);
            if (Directory.Exists(destination.Path))
            {
                Directory.Delete(destination.Path, recursive: true);
            }
            File.Move(archive, destination.Path, overwrite: true);
        }
        finally
        {
            File.Delete(archive);
        }
    }
}
