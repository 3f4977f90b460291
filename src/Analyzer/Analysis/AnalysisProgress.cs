namespace LayerLens.Analyzer.Analysis;

/// <summary>Progress of an analysis: layers finished and compressed bytes read so far.</summary>
public readonly record struct AnalysisProgress(int LayersDone, int LayerCount, long BytesRead, long TotalBytes);
