namespace LayerLens.Data.Model.Workspaces;

/// <summary>A tenant: its members, analyses, projects, keys and webhooks are invisible to every other workspace.</summary>
public sealed class Workspace
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public required string Name { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    /// <summary>Largest upload for this workspace; null uses the server's LayerLens:MaxUploadBytes.</summary>
    public long? MaxUploadBytes { get; set; }

    /// <summary>Analyses of this workspace that may be queued or running at once; null uses the server default.</summary>
    public int? MaxActiveAnalyses { get; set; }

    /// <summary>Bytes this workspace may keep (uploads, pulled layers, results); null uses LayerLens:Quotas:MaxStorageBytesPerWorkspace.</summary>
    public long? MaxStorageBytes { get; set; }

    public List<WorkspaceMember> Members { get; } = [];
}
