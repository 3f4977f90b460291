namespace LayerLens.Web.Analyses;

/// <summary>What a CI pipeline adds to an analysis: the Dockerfile's path in its repository (for SARIF) and a <c>.dive-ci</c> / <c>layerlens.yaml</c>.</summary>
public sealed record CiRequest(string? DockerfilePath, string? CiConfig)
{
    public static CiRequest None { get; } = new(null, null);
}
