using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model.RegistryHooks;

/// <summary>
/// A registry's notifications name the host it knows itself by (often an internal name); the hook pulls
/// from <see cref="PullHost"/> instead. Hosts are <c>host[:port]</c>, compared case-insensitively.
/// </summary>
public sealed class RegistryHostMapping : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public required string NotificationHost { get; set; }

    public required string PullHost { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;
}
