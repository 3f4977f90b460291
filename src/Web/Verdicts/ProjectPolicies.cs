using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Verdicts;

/// <summary>
/// A project's CI policy (<c>.dive-ci</c> / <c>layerlens.yaml</c> text) in the current workspace. Each call checks the
/// scope itself (<see cref="WorkspaceAccess"/>), as every service a page or endpoint calls does.
/// </summary>
public sealed class ProjectPolicies(IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, WorkspaceAccess access)
{
    /// <summary>The policy text ("" when none), or null when the workspace has no such project.</summary>
    public async Task<string?> GetAsync(string name, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesRead, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        return project is null ? null : project.Policy ?? "";
    }

    /// <summary>Validates and stores the policy (blank removes it), creating the project; a refusal is an <see cref="ArgumentException"/> or <see cref="CiConfigException"/>.</summary>
    public async Task SetAsync(string name, string yaml, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.AnalysesWrite, cancellationToken);
        ServicePolicy.Validate(yaml, "policy");
        name = name.Trim();
        if (name.Length is 0 or > 512)
        {
            throw new ArgumentException("a project name has 1 to 512 characters");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, cancellationToken);
        if (project is null)
        {
            project = new Project { Name = name };
            db.Projects.Add(project);
        }
        project.Policy = string.IsNullOrWhiteSpace(yaml) ? null : yaml;
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("project.policy-set", name, cancellationToken);
    }
}
