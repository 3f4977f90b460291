using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model.Access;

/// <summary>
/// A workspace's API key. Only a SHA-256 hash of the key is stored (keys are random, so a fast hash is
/// enough and lets the hash be the lookup index); the key is shown once at creation, <see cref="Prefix"/> after.
/// </summary>
public sealed class ApiKey : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public required string Name { get; set; }

    public required string Prefix { get; set; }

    public required string Hash { get; set; }

    /// <summary>Space-separated scopes, e.g. <c>analyses:write analyses:read</c>.</summary>
    public required string Scopes { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    public DateTime? LastUsedAtUtc { get; set; }

    public DateTime? RevokedAtUtc { get; set; }

    public string? CreatedBy { get; set; }
}
