namespace LayerLens.Data.Model.Workspaces;

/// <summary>A row that belongs to exactly one workspace; the context filters every query of it by the current workspace.</summary>
public interface IWorkspaceOwned
{
    Guid WorkspaceId { get; set; }
}
