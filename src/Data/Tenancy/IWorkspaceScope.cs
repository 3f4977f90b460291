namespace LayerLens.Data.Tenancy;

/// <summary>The workspace the current request or circuit acts for; null when nobody is authenticated.</summary>
public interface IWorkspaceScope
{
    Guid? WorkspaceId { get; }
}
