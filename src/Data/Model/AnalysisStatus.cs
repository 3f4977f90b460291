namespace LayerLens.Data.Model;

public enum AnalysisStatus
{
    Queued = 0,
    Running = 1,
    Succeeded = 2,
    Failed = 3,
    Cancelled = 4,
}
