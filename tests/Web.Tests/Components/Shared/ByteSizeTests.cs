using Bunit;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data.Model;
using LayerLens.Web.Components.Analysis;

namespace LayerLens.Web.Tests.Components.Shared;

/// <summary>The web pages and the CLI reports print one figure for one size: the formatter the CLI's writers call.</summary>
public sealed class ByteSizeTests : MudComponentTest
{
    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(999L, "999 B")]
    [InlineData(1536L, "1.54 kB")]
    [InlineData(3L * 1024 * 1024, "3.15 MB")]
    [InlineData(123_456_789L, "123 MB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.37 GB")]
    public void A_page_prints_the_same_text_as_the_cli_for_the_same_byte_count(long bytes, string expected)
    {
        var analysis = new Analysis
        {
            SourceReference = "x",
            Status = AnalysisStatus.Running,
            ProgressPhase = "reading layers",
            ProgressLayersDone = 1,
            ProgressLayerCount = 2,
            ProgressBytesRead = bytes,
            ProgressTotalBytes = bytes,
        };
        var page = Context.Render<ProgressDisplay>(p => p.Add(c => c.Analysis, analysis));
        var shown = page.Find("[data-testid=progress-layers]").TextContent.Trim();

        // What the CLI's table, markdown and SARIF writers print for this size.
        var cli = ByteSize.Format(bytes);
        Assert.Equal(expected, cli);
        Assert.Equal($"Layer 1 of 2 · {cli} of {cli} read", shown);
    }

    [Theory]
    [InlineData(null, ByteUnits.Decimal, "–")]
    [InlineData(1000L, ByteUnits.Decimal, "1.00 kB")]
    [InlineData(1024L, ByteUnits.Binary, "1.00 KiB")]
    [InlineData(1536L, ByteUnits.Binary, "1.50 KiB")]
    [InlineData(5L * 1024 * 1024 * 1024, ByteUnits.Binary, "5.00 GiB")]
    public void Binary_units_only_when_asked_and_an_unknown_size_is_a_dash(long? bytes, ByteUnits units, string expected) =>
        Assert.Equal(expected, bytes is { } b ? ByteSize.Format(b, units) : ByteSize.Format(bytes));
}
