using LayerLens.Analyzer.Blobs;
using System.Text;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Api;
using LayerLens.Web.Baselines;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Web.Configuration;
using LayerLens.Web.Reviews;
using LayerLens.Web.Security;
using LayerLens.Web.Verdicts;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Analyses;

/// <summary>Turns an upload or a registry reference into a queued analysis; the API and the pages share it.</summary>
public sealed class AnalysisIntake(
    IDbContextFactory<AppDbContext> dbFactory,
    IArtifactStore store,
    AnalysisQueue queue,
    ResolvedSettings settings,
    IDataProtectionProvider protection,
    ContextLimits contextLimits,
    MeasurementGate measurement,
    NetworkTargetGuard guard,
    WorkspaceQuotas quotas,
    WorkspaceAccess access)
{
    /// <summary>
    /// Checks the Dockerfile parses and starts a stage, the context archive is safe to unpack and the build log
    /// is readable, then stores the Dockerfile and queues its review. Refusals name the part, line or entry.
    /// </summary>
    public async Task<Analysis> FromDockerfileAsync(DockerfileSubmission submission, CancellationToken cancellationToken)
    {
        var workspaceId = await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        if (submission.Dockerfile.Length == 0)
        {
            throw new IntakeException("the 'dockerfile' part is empty; paste or upload a Dockerfile");
        }
        var fileName = string.IsNullOrWhiteSpace(submission.FileName) ? "Dockerfile" : Clip(submission.FileName.Trim(), 255);
        DockerfileDocument document;
        try
        {
            document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Decode(submission.Dockerfile, fileName)));
        }
        catch (DockerfileParseException ex)
        {
            throw new IntakeException(ex.Line > 0 ? $"{fileName} is not a Dockerfile: line {ex.Line}: {ex.Message}" : $"{fileName} is not a Dockerfile: {ex.Message}");
        }
        if (document.Stages.Count == 0)
        {
            var first = document.Instructions.FirstOrDefault(i => i.Keyword != "ARG");
            throw new IntakeException(first is null
                ? $"{fileName} is not a Dockerfile: it has no FROM instruction"
                : $"{fileName} is not a Dockerfile: line {first.StartLine}: '{Clip(first.Keyword, 40)}' comes before any FROM instruction");
        }
        if (submission.Runs is < 1 or > DockerfileReviewer.MaxRuns)
        {
            throw new IntakeException($"'runs' must be between 1 and {DockerfileReviewer.MaxRuns}");
        }
        if (submission.Measure)
        {
            // On, sandboxed, the caller may write, and the workspace has builds left today.
            await measurement.EnsureAllowedAsync(submission.Runs ?? 3, cancellationToken);
        }
        if (submission.Measure && submission.BuildContextDigest is null)
        {
            throw new IntakeException("measuring rebuild savings builds the Dockerfile, so it needs the build context: add a 'context' part (tar, tar.gz or zip)");
        }
        if (submission.BuildContextDigest is { } context)
        {
            try
            {
                using var staged = await store.StageBlobAsync(workspaceId, context, cancellationToken);
                ContextArchive.Validate(staged.Path, contextLimits, cancellationToken);
            }
            catch (ContextArchiveException ex)
            {
                throw new IntakeException(ex.Message);
            }
        }
        if (submission.BuildLogDigest is { } log)
        {
            try
            {
                using var staged = await store.StageBlobAsync(workspaceId, log, cancellationToken);
                BuildLogDurations.Parse(await File.ReadAllTextAsync(staged.Path, cancellationToken));
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException or DecoderFallbackException)
            {
                throw new IntakeException($"the 'buildlog' part is not a BuildKit --progress=plain or rawjson log: {ex.Message}");
            }
        }
        if (submission.ChangeHistoryDigest is { } changes)
        {
            try
            {
                using var staged = await store.StageBlobAsync(workspaceId, changes, cancellationToken);
                ChangeHistory.Read(staged.Path, "uploaded history");
            }
            catch (FormatException ex)
            {
                throw new IntakeException($"the 'history' part is not `git log --name-only` text: {ex.Message}");
            }
        }
        var stored = await store.PutBlobAsync(workspaceId, new MemoryStream(submission.Dockerfile, writable: false), DockerfileMultipart.MaxDockerfileBytes, cancellationToken);
        var analysis = new Analysis
        {
            Kind = AnalysisKind.Dockerfile,
            SourceKind = SourceKind.Dockerfile,
            SourceReference = fileName,
            Name = string.IsNullOrWhiteSpace(submission.Name) ? null : Clip(submission.Name.Trim(), 512),
            InputDigest = stored.Digest,
            BuildContextDigest = submission.BuildContextDigest,
            BuildLogDigest = submission.BuildLogDigest,
            ChangeHistoryDigest = submission.ChangeHistoryDigest,
            MeasureRequested = submission.Measure,
            MeasureRuns = submission.Measure ? submission.Runs ?? 3 : null,
            ProgressPhase = "queued",
        };
        return await SaveAndQueueAsync(analysis, submission.Project, submission.Ci, cancellationToken);
    }

    /// <summary>Streams the tarball into the blob store (hashing as it goes), then queues its analysis.</summary>
    /// <param name="archiveImage">The image to analyse when the archive holds several: NAME or @INDEX (docker-archive), or an OCI tag.</param>
    /// <param name="archiveKind">How to read the archive, as the user's source prefix: "docker", "oci", or null to detect it.</param>
    public async Task<Analysis> FromUploadAsync(Stream body, long maxBytes, string? name, string? project, CiRequest ci, CancellationToken cancellationToken, string? archiveImage = null, string? archiveKind = null)
    {
        var workspaceId = await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        CheckChoiceText(archiveImage);
        UploadedImage.ParseKind(archiveKind);
        // Local: hashed into the data directory; Registry: streamed straight into the workspace's repository.
        var blob = await store.PutBlobAsync(workspaceId, body, Math.Min(maxBytes, settings.MaxUploadBytes), cancellationToken);
        return await FromStoredUploadAsync(blob.Digest, name, project, ci, cancellationToken, archiveImage, archiveKind);
    }

    /// <summary>Queues the analysis of an image tarball already streamed into the blob store (a multipart 'image' part).</summary>
    public async Task<Analysis> FromStoredUploadAsync(string digest, string? name, string? project, CiRequest ci, CancellationToken cancellationToken, string? archiveImage = null, string? archiveKind = null)
    {
        var workspaceId = await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        CheckChoiceText(archiveImage);
        var kind = UploadedImage.ParseKind(archiveKind);
        var analysis = new Analysis
        {
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Upload,
            SourceReference = Clip(string.IsNullOrWhiteSpace(name) ? $"upload {digest[7..19]}.tar" : name.Trim(), 2048),
            Name = string.IsNullOrWhiteSpace(name) ? null : Clip(name.Trim(), 512),
            InputDigest = digest,
            ArchiveImage = string.IsNullOrWhiteSpace(archiveImage) ? null : archiveImage.Trim(),
            ArchiveKind = kind,
            ProgressPhase = "queued",
        };
        if (store.Provider == StorageProvider.Local)
        {
            // A shared store is not read back on the web node (it never holds the upload): the worker refuses a
            // wrong choice with the same message when it opens the archive.
            await UploadedImage.CheckChoiceAsync(store, workspaceId, analysis, cancellationToken);
        }
        return await SaveAndQueueAsync(analysis, project, ci, cancellationToken);
    }

    private static void CheckChoiceText(string? archiveImage)
    {
        if (archiveImage is { Length: > UploadedImage.MaxChoiceLength })
        {
            throw new IntakeException($"'archiveImage' is longer than {UploadedImage.MaxChoiceLength} characters");
        }
    }

    /// <summary>Validates the reference, platform and target address, then queues a registry pull.</summary>
    /// <param name="alongside">Rows to save in the same transaction as the analysis (a registry push that started it).</param>
    public async Task<Analysis> FromRegistryAsync(RegistryAnalysis request, CancellationToken cancellationToken, CiRequest? ci = null, Action<AppDbContext, Analysis>? alongside = null)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        if (string.IsNullOrWhiteSpace(request.Image))
        {
            throw new IntakeException("'image' is required: a reference such as registry.example.com/team/app:1.2 or …@sha256:…");
        }
        RegistryReference reference;
        try
        {
            reference = RegistryReference.Parse(request.Image.Trim());
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidImageException or FormatException)
        {
            throw new IntakeException($"'{request.Image}' is not an image reference: {ex.Message}");
        }
        string? platform = null;
        if (!string.IsNullOrWhiteSpace(request.Platform))
        {
            try
            {
                platform = Platform.Parse(request.Platform.Trim()).ToString();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidImageException or FormatException)
            {
                throw new IntakeException($"'{request.Platform}' is not a platform (os/arch[/variant], e.g. linux/amd64): {ex.Message}");
            }
        }
        try
        {
            await guard.CheckHostAsync(reference.Host, cancellationToken);
        }
        catch (TargetRefusedException ex)
        {
            throw new IntakeException($"registry {ex.Message}");
        }

        var analysis = new Analysis
        {
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Registry,
            SourceReference = reference.ToString(),
            Name = string.IsNullOrWhiteSpace(request.Name) ? null : Clip(request.Name.Trim(), 512),
            RequestedPlatform = platform,
            ProgressPhase = "queued",
            ProtectedCredentials = request.Username is { Length: > 0 } user
                ? StoredCredentials.Protect(protection, user, request.Password)
                : null,
        };
        var project = string.IsNullOrWhiteSpace(request.Project) ? $"{reference.Host}/{reference.Repository}" : request.Project;
        return await SaveAndQueueAsync(analysis, project, ci ?? CiRequest.None, cancellationToken, alongside);
    }

    private async Task<Analysis> SaveAndQueueAsync(Analysis analysis, string? project, CiRequest ci, CancellationToken cancellationToken, Action<AppDbContext, Analysis>? alongside = null)
    {
        // Held until the row is saved: concurrent starts of one workspace are counted one after another.
        using var slot = await quotas.ReserveStartAsync(cancellationToken);
        if (analysis.MeasureRequested)
        {
            // Again under the gate: concurrent measured submissions all passed the first check before any was saved.
            await measurement.EnsureAllowedAsync(analysis.MeasureRuns ?? 3, cancellationToken);
        }
        try
        {
            ServicePolicy.Validate(ci.CiConfig, "uploaded CI configuration");
        }
        catch (LayerLens.Analyzer.Reports.Verdicts.CiConfigException ex)
        {
            throw new IntakeException(ex.Message);
        }
        var versions = ci.VersionControl.Validate();
        analysis.Branch = versions.Branch;
        analysis.Commit = versions.Commit;
        analysis.BaselineBranch = versions.BaselineBranch;
        analysis.RequestedBaselineId = versions.Baseline;
        analysis.CiConfig = string.IsNullOrWhiteSpace(ci.CiConfig) ? null : ci.CiConfig;
        analysis.DockerfilePath = ci.DockerfilePath is { Length: > 0 } path ? Clip(path.Trim().TrimStart('/'), 1024) : null;
        if (analysis.Kind == AnalysisKind.Image && !string.IsNullOrWhiteSpace(ci.DockerfileText))
        {
            analysis.DockerfileTextDigest = await StoreDockerfileTextAsync(ci.DockerfileText, cancellationToken);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (versions.Baseline is { } baseline)
        {
            await CheckBaselineAsync(db, analysis, baseline, cancellationToken);
        }
        if (!string.IsNullOrWhiteSpace(project))
        {
            analysis.ProjectId = await ProjectIdAsync(db, Clip(project.Trim(), 512), cancellationToken);
        }
        db.Analyses.Add(analysis);
        alongside?.Invoke(db, analysis);
        // One SaveChanges, one transaction: the analysis and what came with it exist together or not at all. The job is
        // queued after the commit; a crash in between leaves a Queued row, which every start enqueues again.
        await db.SaveChangesAsync(cancellationToken);
        queue.Enqueue(analysis.Id);
        return analysis;
    }

    /// <summary>An explicit baseline is an analysis of this workspace (the query filter hides every other) of the same kind.</summary>
    private static async Task CheckBaselineAsync(AppDbContext db, Analysis analysis, Guid baseline, CancellationToken cancellationToken)
    {
        var kind = await db.Analyses.Where(a => a.Id == baseline).Select(a => (AnalysisKind?)a.Kind).SingleOrDefaultAsync(cancellationToken)
            ?? throw new BaselineNotFoundException(baseline);
        if (kind != analysis.Kind)
        {
            throw new IntakeException($"'baseline' {baseline} is {KindName(kind)}, this is {KindName(analysis.Kind)}; a baseline is of the same kind");
        }
    }

    private static string KindName(AnalysisKind kind) => kind == AnalysisKind.Dockerfile ? "a Dockerfile review" : "an image analysis";

    /// <summary>The Dockerfile an image was built from goes to the blob store (bounded like a reviewed Dockerfile).</summary>
    private async Task<string> StoreDockerfileTextAsync(string text, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (bytes.Length > DockerfileMultipart.MaxDockerfileBytes)
        {
            throw new IntakeException($"the Dockerfile text is larger than {DockerfileMultipart.MaxDockerfileBytes:N0} bytes");
        }
        var workspaceId = await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        return (await store.PutBlobAsync(workspaceId, new MemoryStream(bytes, writable: false), DockerfileMultipart.MaxDockerfileBytes, cancellationToken)).Digest;
    }

    private static async Task<Guid> ProjectIdAsync(AppDbContext db, string name, CancellationToken cancellationToken)
    {
        var existing = await db.Projects.Where(p => p.Name == name).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(cancellationToken);
        if (existing is { } id)
        {
            return id;
        }
        var project = new Project { Name = name };
        db.Projects.Add(project);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return project.Id;
        }
        catch (DbUpdateException)
        {
            // Created meanwhile by another request: use that one.
            db.Entry(project).State = EntityState.Detached;
            return await db.Projects.Where(p => p.Name == name).Select(p => p.Id).SingleAsync(cancellationToken);
        }
    }

    private static string Clip(string value, int max) => value.Length > max ? value[..max] : value;
}

/// <summary>A registry analysis as the API and the page ask for it.</summary>
public sealed record RegistryAnalysis(string? Image, string? Platform, string? Name, string? Project, string? Username, string? Password);

/// <summary>Input the service refuses, with a message that says what to send instead.</summary>
public class IntakeException(string message) : Exception(message);
