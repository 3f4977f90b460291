using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model;

/// <summary>A group of analyses: an image repository, or a name given at upload.</summary>
public sealed class Project : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    /// <summary>Display name, unique in its workspace, e.g. <c>registry.example.com/team/api</c>.</summary>
    public required string Name { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    /// <summary>The project's CI policy: <c>.dive-ci</c> / <c>layerlens.yaml</c> rules (efficiency, wasted and duplicate bytes, lint severity).</summary>
    public string? Policy { get; set; }

    /// <summary>The branch whose analyses are the baselines of others unless they name another (default "main").</summary>
    public string DefaultBranch { get; set; } = DefaultBranchName;

    /// <summary>The project's regression policy: the engine's regression rules as JSON (null: none).</summary>
    public string? RegressionPolicy { get; set; }

    public const string DefaultBranchName = "main";

    public List<Analysis> Analyses { get; } = [];
}
