using Bunit;
using LayerLens.Data.Model;
using LayerLens.Web.Components.Analysis;

namespace LayerLens.Web.Tests.Components;

public sealed class ProgressDisplayTests : MudComponentTest
{
    [Fact]
    public void A_queued_analysis_says_it_waits_for_a_worker()
    {
        var page = Context.Render<ProgressDisplay>(p => p.Add(c => c.Analysis, new Analysis { SourceReference = "x", Status = AnalysisStatus.Queued }));

        Assert.Contains("Queued", page.Find("[data-testid=progress-phase]").TextContent);
        Assert.Empty(page.FindAll("[data-testid=progress-layers]"));
    }

    [Fact]
    public void A_running_analysis_shows_its_phase_layer_i_of_n_and_bytes_read()
    {
        var analysis = new Analysis
        {
            SourceReference = "x",
            Status = AnalysisStatus.Running,
            ProgressPhase = "reading layers",
            ProgressLayersDone = 3,
            ProgressLayerCount = 10,
            ProgressBytesRead = 3 * 1024 * 1024,
            ProgressTotalBytes = 12 * 1024 * 1024,
        };
        var page = Context.Render<ProgressDisplay>(p => p.Add(c => c.Analysis, analysis));

        Assert.Contains("reading layers", page.Find("[data-testid=progress-phase]").TextContent);
        Assert.Equal("Layer 3 of 10 · 3.15 MB of 12.6 MB read", page.Find("[data-testid=progress-layers]").TextContent.Trim());
        Assert.Equal("25", page.Find("[data-testid=progress-bar]").GetAttribute("aria-valuenow"));
    }
}
