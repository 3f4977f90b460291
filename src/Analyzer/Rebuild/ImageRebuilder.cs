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

    /// <summary><c>--base</c>: keep exactly this image's layers (they must be the source's first layers).</summary>
    public ImageSourceSpec? Base { get; init; }

    /// <summary><c>--drop-junk</c>, <c>--link-duplicates</c>: differences on purpose, see <see cref="IntendedChanges"/>.</summary>
    public bool DropJunk { get; init; }

    public bool LinkDuplicates { get; init; }

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
        if (request.Base is not null && request.Squash)
        {
            throw new RebuildRefusedException("--base keeps the base layers and --squash keeps none: choose one");
        }
        // A registry destination is asked first (tag taken? credentials? address allowed?), before any work.
        using var pusher = toRegistry ? await RegistryPublisher.OpenAsync(request, cancellationToken) : null;
        var limits = request.Options.Limits;
        using var image = await ImageOpener.OpenAsync(request.Source, request.Options, cancellationToken);
        var baseCount = request.Base is null ? 0 : await BaseLayers.CountAsync(request.Base, request.Options, image, cancellationToken);
        progress?.Report("analysing and reading the final filesystem");
        var (analysis, kept, reasons, original) = await ReadSourceAsync(image, request, baseCount, cancellationToken);
        if (request.Base is not null)
        {
            BaseLayers.Explain(request.Base.Original, kept, analysis, reasons);
        }
        var changes = IntendedChanges.Apply(original, analysis, kept, request.DropJunk, request.LinkDuplicates);
        var view = changes.Expected;
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
            var proof = await ProveAsync(temp, destination.LayoutTag, request.Options, view, sourceConfig, kept, cancellationToken);
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
                ChangedPaths = changes.Changed,
                JunkBytesDropped = changes.JunkBytesDropped,
                DuplicateBytesSaved = changes.DuplicateBytesSaved,
                JunkInKeptLayers = changes.JunkKept,
                DeadBytesInKeptLayers = DeadBytes(proof, 0, kept),
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

    /// <summary>
    /// The analysis and the final view, read at the same time: the view depends on the kept prefix only for
    /// the paths a kept layer holds, and with no kept layer (always with --squash, and whenever the first
    /// layer already ships dead bytes) it needs nothing from the analysis. So the view is read assuming no
    /// kept layer while the analysis runs (with --base the kept count is known, but reading it twice is no worse than the guess); when the analysis then keeps layers, that read is cancelled and
    /// the view read again with the kept count (the cost of guessing wrong: the overlap, at most one analysis).
    /// </summary>
    private static async Task<(ImageAnalysis Analysis, int Kept, List<string> Reasons, FinalView View)> ReadSourceAsync(
        ResolvedImage image, RebuildRequest request, int baseCount, CancellationToken cancellationToken)
    {
        var limits = request.Options.Limits;
        using var guess = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var noneKept = Task.Run(() => FinalViewReader.ReadAsync(image, 0, limits, guess.Token), guess.Token);
        ImageAnalysis analysis;
        try
        {
            analysis = await ImageAnalyzer.AnalyzeAsync(image, limits, null, cancellationToken: cancellationToken);
        }
        catch
        {
            await guess.CancelAsync();
            await SettleAsync(noneKept);
            throw;
        }
        var reasons = new List<string>();
        var kept = request.Base is null ? RebuildPlan.KeptPrefix(analysis, request.Squash, reasons) : baseCount;
        if (kept == 0)
        {
            return (analysis, kept, reasons, await noneKept);
        }
        await guess.CancelAsync();
        try
        {
            await noneKept;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
        return (analysis, kept, reasons, await FinalViewReader.ReadAsync(image, kept, limits, cancellationToken));
    }

    /// <summary>Waits for a side task after the main one failed; its own failure is the same bad input, already being reported.</summary>
    private static async Task SettleAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
        }
    }

    public static long DeadBytes(ImageAnalysis analysis) => DeadBytes(analysis, 0, int.MaxValue);

    /// <summary>Dead bytes shipped by layers <paramref name="from"/> up to (not including) <paramref name="to"/>.</summary>
    private static long DeadBytes(ImageAnalysis analysis, int from, int to) =>
        analysis.Waste.Where(w => w.LayerIndex >= from && w.LayerIndex < to && w.Kind is WasteKind.Overwritten or WasteKind.MetadataOnly or WasteKind.Deleted).Sum(w => w.Bytes);

    /// <param name="original">The source's final view with the intended changes applied: any other difference fails.</param>
    private static async Task<ImageAnalysis> ProveAsync(string layout, string tag, ImageOpenOptions options, FinalView original, byte[] sourceConfig, int kept, CancellationToken cancellationToken)
    {
        using var rebuilt = await ImageOpener.OpenAsync(ImageSourceSpec.Parse($"oci:{layout}:{tag}"), options with { Platform = null }, cancellationToken);
        // The two read-backs are independent: run them side by side (each is mostly one thread).
        var analysing = Task.Run(() => ImageAnalyzer.AnalyzeAsync(rebuilt, options.Limits, null, cancellationToken: cancellationToken), cancellationToken);
        FinalView view;
        try
        {
            view = await FinalViewReader.ReadAsync(rebuilt, rebuilt.Layers.Count, options.Limits, cancellationToken);
        }
        catch
        {
            await SettleAsync(analysing);
            throw;
        }
        var analysis = await analysing;
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
        // Kept layers are the source's: only a --base may ship bytes its later layers hide. Rewritten layers ship none.
        var rewrittenDead = DeadBytes(analysis, kept, int.MaxValue);
        if (rewrittenDead != 0)
        {
            throw new EquivalenceFailedException([$"the rewritten layers still ship {rewrittenDead:N0} dead bytes"]);
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
