using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model.RegistryHooks;

/// <summary>A pushed manifest seen by the registry hook; unique per workspace, repository and digest so retries start one analysis.</summary>
public sealed class RegistryPush : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public required string Repository { get; set; }

    public required string Digest { get; set; }

    public Guid AnalysisId { get; set; }

    public DateTime ReceivedAtUtc { get; set; } = DateTime.UtcNow;
}
