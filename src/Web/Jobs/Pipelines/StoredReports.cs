using System.IO.Compression;
using LayerLens.Analyzer.UseCases.ReportSets;
using LayerLens.Web.Storage;
using LayerLens.Web.Webhooks;

namespace LayerLens.Web.Jobs.Pipelines;

/// <summary>
/// The report set of one run as the service stores it: every service format, gzip-compressed, under the run's
/// output directory; Markdown (for PR comments) ends with a link back to the analysis page.
/// </summary>
public sealed class StoredReports(PublicLinks links)
{
    public async Task WriteAsync(IMultiFormatReport report, Guid analysisId, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(output);
        await ReportSet.WriteAsync(
            report,
            ReportSet.ServiceFormats,
            format => new GZipStream(File.Create(Path.Combine(output, DataLayout.ReportFileName(format))), CompressionLevel.Optimal),
            (format, stream) => WriteLinkBack(format, analysisId, stream),
            cancellationToken);
    }

    /// <summary>The comparison with the baseline in the same formats, beside the run's reports (delta.*).</summary>
    public async Task WriteDeltaAsync(IMultiFormatReport delta, Guid analysisId, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(output);
        await ReportSet.WriteAsync(
            delta,
            ReportSet.ServiceFormats,
            format => new GZipStream(File.Create(Path.Combine(output, DataLayout.DeltaReportFileName(format))), CompressionLevel.Optimal),
            (format, stream) => WriteLinkBack(format, analysisId, stream),
            cancellationToken);
    }

    private void WriteLinkBack(string format, Guid analysisId, Stream output)
    {
        if (format == "markdown")
        {
            output.Write(System.Text.Encoding.UTF8.GetBytes($"\n[Open this analysis in LayerLens]({links.Absolute($"/analyses/{analysisId}")})\n"));
        }
    }
}
