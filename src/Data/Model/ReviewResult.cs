namespace LayerLens.Data.Model;

/// <summary>
/// What a Dockerfile review found, one row per succeeded review (table AnalysisReviewResults): the lint findings by
/// severity, the recommendation's rewrites, and the cost model's and (when asked) buildah's rebuild seconds.
/// </summary>
public sealed class ReviewResult
{
    /// <summary>The analysis this is the result of (primary key and foreign key).</summary>
    public Guid AnalysisId { get; set; }

    public int FindingCount { get; set; }

    public int ErrorFindingCount { get; set; }

    public int WarningFindingCount { get; set; }

    public int InfoFindingCount { get; set; }

    public int StyleFindingCount { get; set; }

    /// <summary>How many rewrites (not advice) the recommendation makes.</summary>
    public int ChangeCount { get; set; }

    /// <summary>The cost model's expected rebuild seconds per change, original and recommended.</summary>
    public double ExpectedOriginalSeconds { get; set; }

    public double ExpectedRecommendedSeconds { get; set; }

    /// <summary>With measurement: source-edit rebuild seconds saved (original − recommended median).</summary>
    public double? MeasuredSavingSeconds { get; set; }

    /// <summary>With measurement: both builds gave the same filesystem and configuration.</summary>
    public bool? MeasuredEquivalent { get; set; }
}
