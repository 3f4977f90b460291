using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data.Model;
using Microsoft.EntityFrameworkCore.Query;

namespace LayerLens.Web.Jobs.Pipelines;

/// <summary>What a pipeline hands the job to publish: the verdict and the result columns of the row (its reports are in the output directory).</summary>
public sealed record PipelineResult(Verdict Verdict, Func<UpdateSettersBuilder<Analysis>, UpdateSettersBuilder<Analysis>> Columns);
