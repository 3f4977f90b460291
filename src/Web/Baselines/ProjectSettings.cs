using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Web.Analyses;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Baselines;

/// <summary>A project of the current workspace as the API shows it.</summary>
public sealed record ProjectResource(string Name, string DefaultBranch, DateTime CreatedAt, int Analyses, bool HasPolicy, bool HasRegressionPolicy);

/// <summary>
/// A project's baseline settings in the current workspace: its default branch (whose analyses are the baselines
/// unless a request names another). Each call checks the scope itself (<see cref="WorkspaceAccess"/>).
/// </summary>
public sealed class ProjectSettings(IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, WorkspaceAccess access)
{
    /// <summary>The project, or null when the workspace has none of that name.</summary>
    public async Task<ProjectResource?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesRead, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Projects.AsNoTracking().Where(p => p.Name == name)
            .Select(p => new ProjectResource(p.Name, p.DefaultBranch, p.CreatedAtUtc, p.Analyses.Count, p.Policy != null, p.RegressionPolicy != null))
            .SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Sets the default branch (validated like an analysis' branch), creating the project; refusals are <see cref="IntakeException"/>s.</summary>
    public async Task SetDefaultBranchAsync(string name, string? branch, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        var valid = BaselineRequest.Name(branch, "defaultBranch", BaselineRequest.MaxBranchLength)
            ?? throw new IntakeException("'defaultBranch' is required: the branch whose analyses are the baselines, e.g. main");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await FindOrCreateAsync(db, name, cancellationToken);
        project.DefaultBranch = valid;
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("project.default-branch-set", $"{project.Name}: {valid}", cancellationToken);
    }

    /// <summary>
    /// The project's regression policy as JSON: the stored one, else the one its YAML policy's <c>regression:</c> section
    /// gives (defaults without one); null when the workspace has no such project.
    /// </summary>
    public async Task<RegressionPolicyJson?> GetRegressionPolicyAsync(string name, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesRead, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        return project is null ? null : RegressionPolicyJson.From(RegressionPolicies.For(project.RegressionPolicy, project.Policy, null));
    }

    /// <summary>Validates and stores the regression policy JSON (null removes it), creating the project; refusals are <see cref="CiConfigException"/>s.</summary>
    public async Task SetRegressionPolicyAsync(string name, RegressionPolicyJson? policy, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        // Checked as the job will read it: every value in range, every word known.
        var stored = policy is null ? null : RegressionPolicyJson.From(policy.ToPolicy("regression policy")).Write();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await FindOrCreateAsync(db, name, cancellationToken);
        project.RegressionPolicy = stored;
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("project.regression-policy-set", project.Name, cancellationToken);
    }

    internal static async Task<Project> FindOrCreateAsync(AppDbContext db, string name, CancellationToken cancellationToken)
    {
        name = name.Trim();
        if (name.Length is 0 or > 512)
        {
            throw new IntakeException("a project name has 1 to 512 characters");
        }
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (project is null)
        {
            project = new Project { Name = name };
            db.Projects.Add(project);
        }
        return project;
    }
}
