namespace LayerLens.Data.Model.Workspaces;

/// <summary>Owners manage members, keys and webhooks; members analyse; viewers read.</summary>
public enum WorkspaceRole
{
    Viewer = 0,
    Member = 1,
    Owner = 2,
}
