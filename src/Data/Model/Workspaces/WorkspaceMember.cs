namespace LayerLens.Data.Model.Workspaces;

/// <summary>A user's membership of a workspace and their role in it.</summary>
public sealed class WorkspaceMember
{
    public Guid WorkspaceId { get; set; }

    public Workspace? Workspace { get; set; }

    public required string UserId { get; set; }

    public WorkspaceRole Role { get; set; }

    public DateTime JoinedAtUtc { get; set; } = DateTime.UtcNow;
}
