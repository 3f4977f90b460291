using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Verdicts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Api;

/// <summary>API v1: a project's CI policy (<c>.dive-ci</c> / <c>layerlens.yaml</c> text), applied to its next analyses.</summary>
public static class ProjectsEndpoints
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/projects").WithTags("Projects").DisableAntiforgery();
        api.MapGet("{name}/policy", GetPolicyAsync).RequireAuthorization(ApiScopes.AnalysesRead).WithSummary("The project's CI policy as YAML");
        api.MapPut("{name}/policy", PutPolicyAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Set the project's CI policy: a .dive-ci / layerlens.yaml body (rules, thresholds incl. maxLintSeverity); creates the project");
        return app;
    }

    private static async Task<IResult> GetPolicyAsync(string name, IDbContextFactory<AppDbContext> dbFactory, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Name == name, ct);
        return project is null
            ? Results.Problem(new ProblemDetails { Status = 404, Title = "Project not found", Detail = $"there is no project '{name}'" })
            : Results.Text(project.Policy ?? "", "application/yaml");
    }

    private static async Task<IResult> PutPolicyAsync(string name, HttpRequest request, IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, CancellationToken ct)
    {
        if (request.ContentLength > ServicePolicy.MaxBytes)
        {
            return Results.Problem(new ProblemDetails { Status = 413, Title = "Policy too large", Detail = $"a policy is at most {ServicePolicy.MaxBytes / 1024} KiB" });
        }
        using var reader = new StreamReader(request.Body);
        var buffer = new char[ServicePolicy.MaxBytes + 1];
        var length = await reader.ReadBlockAsync(buffer, ct);
        var yaml = new string(buffer, 0, length);
        try
        {
            ServicePolicy.Validate(yaml, "policy");
        }
        catch (CiConfigException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid policy", Detail = ex.Message });
        }
        name = name.Trim();
        if (name.Length is 0 or > 512)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid project name", Detail = "a project name has 1 to 512 characters" });
        }
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var project = await db.Projects.SingleOrDefaultAsync(p => p.Name == name, ct);
        if (project is null)
        {
            project = new Project { Name = name };
            db.Projects.Add(project);
        }
        project.Policy = string.IsNullOrWhiteSpace(yaml) ? null : yaml;
        await db.SaveChangesAsync(ct);
        await audit.WriteAsync("project.policy-set", name, ct);
        return Results.NoContent();
    }
}
