using LayerLens.Web.Analyses;

namespace LayerLens.Web.Baselines;

/// <summary>An explicit baseline id that names no analysis of this workspace (another workspace's is not there either): a 404.</summary>
public sealed class BaselineNotFoundException(Guid id) : IntakeException($"there is no analysis {id} to compare with in this workspace");
