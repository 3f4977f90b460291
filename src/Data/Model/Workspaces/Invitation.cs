namespace LayerLens.Data.Model.Workspaces;

/// <summary>
/// An owner's invitation of an email address into a workspace with a role. The link's token is random and
/// stored only as its SHA-256 hash; it works once, until <see cref="ExpiresAtUtc"/>, unless revoked.
/// </summary>
public sealed class Invitation : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public required string Email { get; set; }

    public WorkspaceRole Role { get; set; }

    public required string TokenHash { get; set; }

    public string? CreatedBy { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    public DateTime ExpiresAtUtc { get; set; }

    public DateTime? AcceptedAtUtc { get; set; }

    public string? AcceptedByUserId { get; set; }

    public DateTime? RevokedAtUtc { get; set; }
}
