namespace LayerLens.Cli.Tests.Deploy;

/// <summary>We ship what we preach: LayerLens's own Containerfile passes its linter.</summary>
public sealed class ContainerfileLintTests
{
    [Fact]
    public void The_containerfile_passes_layerlens_lint_with_no_finding()
    {
        var containerfile = Path.Combine(CliRunner.RepoRoot, "infra", "deploy", "Containerfile");

        var result = CliRunner.Run("lint", containerfile);

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("0 finding(s)", result.Stdout, StringComparison.Ordinal);
    }
}
