namespace LayerLens.Analyzer.UseCases.ReportSets;

/// <summary>One result that can be written in several formats (json, sarif, markdown, junit, …).</summary>
public interface IMultiFormatReport
{
    void Write(string format, Stream output);
}
