using System.Text.Json;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Sarif;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Reports;

/// <summary>
/// SARIF 2.1.0: failed CI rules as errors, the largest waste items as notes. Locations name the image unless
/// the CI gave the Dockerfile it was built from: then they point at that file (the causing instruction's line
/// when it can be matched, else line 1) and the image is kept in the message and the result's properties.
/// </summary>
public sealed class SarifReportWriter(SarifDockerfile? dockerfile = null) : IReportWriter
{
    private const int MaxWasteResults = 50;

    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        var rules = verdict.Rules.Select(r => new SarifRule("ci/" + r.Rule, $"CI threshold {r.Rule}"))
            .Concat(Enum.GetValues<WasteKind>().Select(kind => new SarifRule("waste/" + kind.ToReportName(), $"{kind.ToReportName()} bytes in the image")));
        var results = verdict.Failures
            .Select(f => Result("ci/" + f.Rule, "error", dockerfile is null ? f.Message : $"{f.Message} (image {a.Reference})", a.Reference, null))
            .Concat(a.Waste.Take(MaxWasteResults).Select(item =>
            {
                var message = $"{ByteSize.Format(item.Bytes)} {item.Kind.ToReportName()} at /{item.Path}: shipped in layer {item.LayerIndex}, made dead by layer {item.CauseLayerIndex}";
                var cause = a.Layers.FirstOrDefault(l => l.Index == item.CauseLayerIndex);
                return Result("waste/" + item.Kind.ToReportName(), "note", dockerfile is null ? message : $"{message} of image {a.Reference}", a.Reference, cause);
            }));
        SarifLog.Write(output, new JsonWriterOptions { Indented = true }, rules, results);
    }

    private SarifResult Result(string ruleId, string level, string message, string reference, LayerAnalysis? cause) =>
        dockerfile is null
            ? new SarifResult(ruleId, level, message, reference)
            : new SarifResult(ruleId, level, message, dockerfile.Path)
            {
                Region = new SarifRegion(dockerfile.LineFor(cause?.CreatedBy)),
                Properties = cause is null
                    ? [new("image", reference)]
                    : [new("image", reference), new("causeLayer", cause.Index), new("createdBy", cause.CreatedBy)],
            };
}
