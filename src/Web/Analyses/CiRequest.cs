namespace LayerLens.Web.Analyses;

/// <summary>
/// What a CI pipeline adds to an analysis: the Dockerfile's path in its repository (for SARIF), a <c>.dive-ci</c> /
/// <c>layerlens.yaml</c>, and for an image the Dockerfile's text, so SARIF results land on the causing instruction's line.
/// </summary>
public sealed record CiRequest(string? DockerfilePath, string? CiConfig, string? DockerfileText = null)
{
    public static CiRequest None { get; } = new(null, null);
}
