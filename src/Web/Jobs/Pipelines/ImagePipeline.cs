using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Reports;
using LayerLens.Analyzer.UseCases.ImageReviews;
using LayerLens.Analyzer.UseCases.ReportSets;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Web.Analyses;
using LayerLens.Web.Baselines;
using LayerLens.Web.Configuration;
using LayerLens.Web.LayerCache;
using LayerLens.Web.Security;
using LayerLens.Web.Storage;
using LayerLens.Analyzer.FileTree.Stored;
using LayerLens.Web.Verdicts;
using Microsoft.AspNetCore.DataProtection;

namespace LayerLens.Web.Jobs.Pipelines;

/// <summary>
/// An image analysis as the job runs it: the stored upload or the registry reference turned into the engine's
/// <see cref="ImageReview"/> request (pulled through this server's network guard, with the workspace's own kept
/// layers), then the report set and the tree file the explorer reads.
/// </summary>
public sealed class ImagePipeline(
    BlobStore blobs,
    ResolvedSettings settings,
    IDataProtectionProvider protection,
    NetworkTargetGuard guard,
    StoredReports reports,
    SharedLayerCache layerCache,
    BaselineComparer baselines,
    ILogger<ImagePipeline> logger)
{
    public async Task<PipelineResult> RunAsync(Analysis analysis, string output, IProgress<AnalysisProgress> progress, Action<string> phase, CancellationToken ct)
    {
        var grants = new KeptLayerGrants(settings.DataDirectory, settings.KeptLayerGrantLifetime);
        // ImageReview reports the phases from "opening image" on.
        var options = OpenOptions(analysis, grants);
        var cacheUse = new LayerCacheUse();
        var request = new ImageReviewRequest(Source(analysis), options)
        {
            Rules = ServicePolicy.Rules(analysis.Project?.Policy, analysis.CiConfig),
            // The report names what the user handed in, not the blob's path on this server.
            ShownAs = analysis.SourceKind == SourceKind.Upload ? analysis.DisplayName : null,
            // Every image analysis (upload, registry reference, registry push) shares the cache, each only for
            // layers its workspace was granted.
            LayerCache = layerCache.For(new LayerAccessRule(grants, analysis.WorkspaceId), cacheUse),
        };
        ImageReviewResult review;
        try
        {
            review = await ImageReview.RunAsync(request, progress, phase, ct);
        }
        finally
        {
            if (request.LayerCache is not null && logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Layer cache: analysis {Id} reused {Reused} layer change set(s); the access rule refused {Refused}",
                    analysis.Id, cacheUse.Reused, cacheUse.Refused);
            }
        }
        BaselineOutcome? compared = null;
        if (BaselineComparer.Wanted(analysis))
        {
            phase("comparing with the baseline");
            compared = await baselines.CompareImageAsync(analysis, ImageReport.From(review.Analysis, review.Verdict), ct);
            // The regression rules join the absolute ones: one verdict in every report, the row and the webhooks.
            review = review with { Verdict = ServicePolicy.Combine(review.Verdict, RegressionPolicies.AsVerdict(compared.Delta.Baseline.Verdict)) };
        }

        phase("writing results");
        // SARIF points at the Dockerfile the CI named: at the causing instruction's line when its text came along, else line 1.
        var dockerfile = analysis.DockerfilePath is { } path ? new SarifDockerfile(path, await DockerfileTextAsync(analysis, ct)) : null;
        await reports.WriteAsync(new ImageReviewReport(review, dockerfile), analysis.Id, output, ct);
        if (compared is not null)
        {
            await reports.WriteDeltaAsync(compared.Reports, analysis.Id, output, ct);
        }
        ct.ThrowIfCancellationRequested();
        TreeFileWriter.Write(review.Analysis.Tree, review.Analysis.Waste, Path.Combine(output, DataLayout.TreeFile));

        var summary = review.Analysis;
        return new PipelineResult(review.Verdict, id => new ImageResult
        {
            AnalysisId = id,
            ManifestDigest = summary.Digest,
            Platform = summary.Platform,
            CompressedSizeBytes = summary.CompressedSizeBytes,
            SizeBytes = summary.SizeBytes,
            FinalBytes = summary.FinalBytes,
            WastedBytes = summary.WastedBytes,
            DuplicateBytes = summary.DuplicateBytes,
            Efficiency = summary.Efficiency,
            LayerCount = summary.Layers.Count,
            FileCount = summary.FileCount,
            WasteItemCount = summary.Waste.Count,
        })
        {
            Baseline = compared,
            SubjectDigest = summary.Digest,
        };
    }

    /// <summary>
    /// How the engine opens this analysis' image: its platform, the stored credentials, this server's network guard
    /// and the workspace's own kept layers. The rebuild job opens the image the same way.
    /// </summary>
    internal ImageOpenOptions OpenOptions(Analysis analysis, KeptLayerGrants grants) => new()
    {
        Platform = analysis.RequestedPlatform is { Length: > 0 } p && analysis.SourceKind == SourceKind.Registry ? Platform.Parse(p) : null,
        Registry = new RegistryOptions
        {
            Credentials = StoredCredentials.Read(protection, analysis.ProtectedCredentials),
            Insecure = settings.AllowPrivateNetworkTargets,
            PlainHttpHosts = settings.InsecureRegistries,
            CreateHandler = () => guard.CreateHandler(TimeSpan.FromSeconds(60)),
            // A retry or re-analysis of the same image reads its layers from the blob store: only layers this
            // workspace itself downloaded from the same repository.
            BlobCache = new PulledBlobCache(blobs, grants, analysis.WorkspaceId),
        },
    };

    /// <summary>The upload read as the kind the user named (else detected), the image chosen inside it as analyze takes it.</summary>
    internal ImageSourceSpec Source(Analysis analysis)
    {
        switch (analysis.SourceKind)
        {
            case SourceKind.Registry:
                return ImageSourceSpec.Parse("docker://" + analysis.SourceReference);
            case SourceKind.Upload:
                var source = UploadedImage.Source(blobs, analysis.InputDigest ?? throw new InvalidOperationException("the upload's blob is missing"), analysis.ArchiveKind, analysis.ArchiveImage);
                if (!File.Exists(source.Location))
                {
                    throw new InvalidImageException("the uploaded image is no longer stored (removed by the retention setting); upload it again");
                }
                if (!blobs.Verify(analysis.InputDigest!))
                {
                    // A file torn by a crash (before writes were flushed) is never read as the upload.
                    throw new InvalidImageException("the uploaded image's stored bytes no longer match its digest (damaged on the server's disk); upload it again");
                }
                return source;
            default:
                throw new InvalidOperationException($"analysis {analysis.Id} of kind {analysis.SourceKind} has no image");
        }
    }

    /// <summary>The Dockerfile text an image's CI sent (bounded at intake); gone with retention, SARIF falls back to line 1.</summary>
    private async Task<string?> DockerfileTextAsync(Analysis analysis, CancellationToken ct)
    {
        var path = analysis.DockerfileTextDigest is { } digest ? blobs.PathOf(digest) : null;
        return path is not null && File.Exists(path) ? await File.ReadAllTextAsync(path, ct) : null;
    }
}
