using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model.Audit;

/// <summary>Who did what in a workspace: sign-ins, keys, webhooks, members. Never holds a secret.</summary>
public sealed class AuditEntry : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public DateTime AtUtc { get; set; } = DateTime.UtcNow;

    /// <summary>A user's email or <c>key:NAME</c>.</summary>
    public required string Actor { get; set; }

    /// <summary>Dotted verb, e.g. <c>apikey.created</c>.</summary>
    public required string Action { get; set; }

    public string? Detail { get; set; }
}
