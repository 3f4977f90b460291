using System.IO.Compression;
using System.Text.Json;

namespace LayerLens.Web.Reviews;

/// <summary>The stored JSON report of a Dockerfile review as the review page reads it.</summary>
public sealed record ReviewReport(
    ReviewDockerfile Dockerfile,
    IReadOnlyList<ReviewFinding> Findings,
    IReadOnlyList<ReviewChange> Changes,
    string RecommendedDockerfile,
    string Diff,
    bool Withheld,
    string? RejectedDockerfile,
    ReviewExpected Expected,
    ReviewMeasured? Measured)
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<ReviewReport?> LoadAsync(string file, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(file))
        {
            return null;
        }
        await using var stream = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        return await JsonSerializer.DeserializeAsync<ReviewReport>(stream, Options, cancellationToken);
    }

    public static ReviewReport Parse(string json) => JsonSerializer.Deserialize<ReviewReport>(json, Options)!;
}

public sealed record ReviewDockerfile(string Name, string Text);

public sealed record ReviewFinding(string RuleId, string Severity, int Line, int Column, int EndLine, string Message, string? HadolintId, string? BuildkitCheck);

public sealed record ReviewChange(string Kind, int Line, string Message, bool Advice, string? Example);

/// <summary>The cost model's expectation; the per-step arrays are absent from reports written before they existed.</summary>
public sealed record ReviewExpected(
    double OriginalSeconds,
    double RecommendedSeconds,
    string? Weights,
    string? Durations,
    IReadOnlyList<ReviewStep>? OriginalSteps = null,
    IReadOnlyList<ReviewStep>? RecommendedSteps = null);

public sealed record ReviewScenario(
    string Name,
    double OriginalSeconds,
    double RecommendedSeconds,
    int Runs,
    int OriginalCachedSteps,
    int RecommendedCachedSteps,
    IReadOnlyList<ReviewStep>? OriginalSteps = null,
    IReadOnlyList<ReviewStep>? RecommendedSteps = null);

/// <summary>One build step's seconds (its Dockerfile line and instruction); <c>Cached</c> only when measured.</summary>
public sealed record ReviewStep(int Line, string Instruction, double Seconds, bool? Cached = null);

public sealed record ReviewMeasured(
    IReadOnlyList<ReviewScenario> Scenarios,
    bool Equivalent,
    IReadOnlyList<string> Differences,
    IReadOnlyList<string> Failures,
    IReadOnlyList<string> Notes);
