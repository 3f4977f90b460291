using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model.Webhooks;

/// <summary>A workspace's subscription: deliveries of the chosen events, signed with its secret.</summary>
public sealed class Webhook : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public required string Url { get; set; }

    /// <summary>Space-separated event names.</summary>
    public required string Events { get; set; }

    /// <summary>The signing secret, protected with Data Protection; never shown back.</summary>
    public required string ProtectedSecret { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;
}
