using System.Text.Json.Serialization;
using LayerLens.Data.Model;

namespace LayerLens.Web.Api;

/// <summary>The API's view of an analysis: status, progress, summary and links.</summary>
public sealed record AnalysisResource(
    Guid Id,
    string Name,
    string Status,
    string Kind,
    AnalysisSource Source,
    string? Project,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    string? Error,
    AnalysisProgressResource? Progress,
    AnalysisSummary? Summary,
    AnalysisLinks Links,
    int Attempts)
{
    public static string StatusName(AnalysisStatus status) => status.ToString().ToLowerInvariant();

    public static AnalysisResource From(Analysis a) => new(
        a.Id,
        a.DisplayName,
        StatusName(a.Status),
        a.Kind.ToString().ToLowerInvariant(),
        // The platform found once the image was read, else the one asked for.
        new AnalysisSource(a.SourceKind.ToString().ToLowerInvariant(), a.SourceReference, a.Image is { } found ? found.Platform : a.RequestedPlatform, a.InputDigest),
        a.Project?.Name,
        a.CreatedAtUtc,
        a.StartedAtUtc,
        a.FinishedAtUtc,
        a.Error,
        a.ProgressPhase is null ? null : new AnalysisProgressResource(a.ProgressPhase, a.ProgressLayersDone, a.ProgressLayerCount, a.ProgressBytesRead, a.ProgressTotalBytes),
        a.Status != AnalysisStatus.Succeeded ? null : new AnalysisSummary(
            a.Image?.ManifestDigest, a.Image?.CompressedSizeBytes, a.Image?.SizeBytes, a.Image?.FinalBytes, a.Image?.WastedBytes, a.Image?.DuplicateBytes, a.Image?.Efficiency,
            a.Image?.LayerCount, a.Image?.FileCount, a.Image?.WasteItemCount,
            // An image has no lint findings: its count is 0, not absent.
            a.Image is not null ? 0 : a.Review?.FindingCount, a.DurationMilliseconds,
            a.Kind != AnalysisKind.Dockerfile ? null : new FindingCounts(a.Review?.ErrorFindingCount ?? 0, a.Review?.WarningFindingCount ?? 0, a.Review?.InfoFindingCount ?? 0, a.Review?.StyleFindingCount ?? 0),
            a.Review?.ChangeCount, a.Review?.ExpectedOriginalSeconds, a.Review?.ExpectedRecommendedSeconds, a.Review?.MeasuredSavingSeconds, a.Review?.MeasuredEquivalent),
        AnalysisLinks.For(a.Id),
        a.Attempts)
    {
        Verdict = a.Status != AnalysisStatus.Succeeded || a.VerdictPassed is null ? null
            : new AnalysisVerdict(a.VerdictPassed.Value, (a.VerdictFailures ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)) { Regressed = a.VerdictRegressed },
        DockerfilePath = a.DockerfilePath,
        Branch = a.Branch,
        Commit = a.Commit,
        Baseline = a.BaselineId is null && a.BaselineBranch is null && a.RequestedBaselineId is null && a.VerdictRegressed is null ? null
            : new AnalysisBaseline(a.BaselineId, a.BaselineBranch, a.RequestedBaselineId),
    };

    /// <summary>The CI verdict against the project's policy and the uploaded CI configuration (passed with no rules when there are none).</summary>
    public AnalysisVerdict? Verdict { get; init; }

    public string? DockerfilePath { get; init; }

    // Absent when not set, so an analysis without them serialises exactly as before branches existed.
    /// <summary>The branch the analysed image or Dockerfile was built from.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Branch { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Commit { get; init; }

    /// <summary>What it was compared with: the baseline used once it finished, the branch or id asked for.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public AnalysisBaseline? Baseline { get; init; }
}

public sealed record AnalysisVerdict(bool Passed, IReadOnlyList<string> Failures)
{
    /// <summary>True when a regression rule against the baseline failed; absent when no regression rule was evaluated.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Regressed { get; init; }
}

/// <param name="Id">The baseline analysis the finished job compared with (null: none found).</param>
/// <param name="Branch">The baseline branch asked for (null: the project's default branch).</param>
/// <param name="Requested">An explicit baseline id asked for.</param>
public sealed record AnalysisBaseline(Guid? Id, string? Branch, Guid? Requested);

public sealed record AnalysisSource(string Kind, string Reference, string? Platform, string? Digest);

public sealed record AnalysisProgressResource(string Phase, int? LayersDone, int? LayerCount, long? BytesRead, long? TotalBytes);

public sealed record AnalysisSummary(
    string? Digest,
    long? CompressedSizeBytes,
    long? SizeBytes,
    long? FinalBytes,
    long? WastedBytes,
    long? DuplicateBytes,
    double? Efficiency,
    int? LayerCount,
    int? FileCount,
    int? WasteItemCount,
    int? FindingCount,
    long? DurationMilliseconds,
    FindingCounts? FindingsBySeverity,
    int? ChangeCount,
    double? ExpectedOriginalSeconds,
    double? ExpectedRecommendedSeconds,
    double? MeasuredSavingSeconds,
    bool? MeasuredEquivalent);

/// <summary>A Dockerfile review's findings by severity.</summary>
public sealed record FindingCounts(int Error, int Warning, int Info, int Style);

public sealed record AnalysisLinks(string Self, string Report, string Page, string Cancel, string Retry)
{
    public static AnalysisLinks For(Guid id) => new(
        $"/api/v1/analyses/{id}",
        $"/api/v1/analyses/{id}/report?format=json",
        $"/analyses/{id}",
        $"/api/v1/analyses/{id}/cancel",
        $"/api/v1/analyses/{id}/retry");
}

/// <summary>202 answer of <c>POST /api/v1/analyses</c>.</summary>
public sealed record AnalysisAccepted(Guid Id, string Status, AnalysisLinks Links);

/// <summary>JSON body of <c>POST /api/v1/analyses</c> for an image in a registry.</summary>
public sealed record RegistryAnalysisRequest(string? Image, string? Platform, string? Name, string? Project, RegistryCredentialsRequest? Credentials)
{
    /// <summary>CI extras: the Dockerfile's path in the repository and a .dive-ci / layerlens.yaml.</summary>
    public string? DockerfilePath { get; init; }

    public string? CiConfig { get; init; }

    /// <summary>The Dockerfile's text (≤ 1 MiB), so SARIF results land on the instruction that caused the waste.</summary>
    public string? Dockerfile { get; init; }

    /// <summary>The branch and commit the image was built from; the baseline's branch or an explicit baseline analysis id.</summary>
    public string? Branch { get; init; }

    public string? Commit { get; init; }

    public string? BaselineBranch { get; init; }

    public string? Baseline { get; init; }
}

public sealed record RegistryCredentialsRequest(string Username, string Password);

public sealed record AnalysisPage(IReadOnlyList<AnalysisResource> Items, int Page, int PageSize, int Total);
