namespace LayerLens.Analyzer.UseCases.ReportSets;

/// <summary>Writing one result in several formats, each to its own stream: the service stores every review this way.</summary>
public static class ReportSet
{
    /// <summary>The formats the service stores for every analysis and review.</summary>
    public static readonly IReadOnlyList<string> ServiceFormats = ["json", "sarif", "markdown", "junit"];

    /// <param name="open">The stream of one format; disposed after it is written.</param>
    /// <param name="append">Writes what follows a format's report (a link back to the analysis), if anything.</param>
    public static async Task WriteAsync(
        IMultiFormatReport report, IEnumerable<string> formats, Func<string, Stream> open, Action<string, Stream>? append, CancellationToken cancellationToken)
    {
        foreach (var format in formats)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await using var output = open(format);
            report.Write(format, output);
            append?.Invoke(format, output);
        }
    }
}
