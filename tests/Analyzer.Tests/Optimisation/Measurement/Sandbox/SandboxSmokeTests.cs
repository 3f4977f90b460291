using Xunit.Abstractions;

namespace LayerLens.Analyzer.Tests.Optimisation.Measurement.Sandbox;

public sealed class SandboxSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_plain_build_succeeds_in_the_sandbox()
    {
        using var work = new TempDir();
        var outcome = await SandboxHarness.BuildAsync(work, "RUN echo built > /built\n");
        output.WriteLine(outcome.LogTail);
        Assert.True(outcome.Success, outcome.LogTail);
        Assert.Null(outcome.StoppedBy);
        Assert.NotNull(outcome.ImageId);
    }
}
