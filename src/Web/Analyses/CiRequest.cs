using LayerLens.Web.Baselines;

namespace LayerLens.Web.Analyses;

/// <summary>
/// What a CI pipeline adds to an analysis: the Dockerfile's path in its repository (for SARIF), a <c>.dive-ci</c> /
/// <c>layerlens.yaml</c>, and for an image the Dockerfile's text, so SARIF results land on the causing instruction's line.
/// </summary>
public sealed record CiRequest(string? DockerfilePath, string? CiConfig, string? DockerfileText = null)
{
    public static CiRequest None { get; } = new(null, null);

    /// <summary>The branch and commit it was built from, and the baseline to compare with.</summary>
    public BaselineRequest VersionControl { get; init; } = BaselineRequest.None;
}
