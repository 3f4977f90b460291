using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Web.Analyses;
using LayerLens.Web.Baselines;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Verdicts;
using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>API v1: a project's CI policy (<c>.dive-ci</c> / <c>layerlens.yaml</c> text), applied to its next analyses.</summary>
public static class ProjectsEndpoints
{
    public static IEndpointRouteBuilder MapProjectsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/projects").WithTags("Projects").DisableAntiforgery();
        api.MapGet("{name}", GetAsync).RequireAuthorization(ApiScopes.AnalysesRead).WithSummary("The project: name, default branch, whether it has a policy and a regression policy");
        api.MapPatch("{name}", PatchAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Change the project's settings: JSON {\"defaultBranch\": \"main\"} (the branch whose analyses are the baselines); creates the project");
        api.MapGet("{name}/policy", GetPolicyAsync).RequireAuthorization(ApiScopes.AnalysesRead).WithSummary("The project's CI policy as YAML");
        api.MapGet("{name}/regression-policy", GetRegressionPolicyAsync).RequireAuthorization(ApiScopes.AnalysesRead)
            .WithSummary("The project's regression policy as JSON (the stored one, else its YAML policy's regression: section, else the defaults)");
        api.MapPut("{name}/regression-policy", PutRegressionPolicyAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Set the project's regression policy: JSON {maxSizeIncreaseBytes, maxSizeIncreasePercent, maxWastedIncreaseBytes, maxEfficiencyDrop, newFindings, newFindingsSeverity, newWaste, noBaseline}; creates the project");
        api.MapDelete("{name}/regression-policy", DeleteRegressionPolicyAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Remove the stored regression policy (the YAML policy's regression: section applies again)");
        api.MapPut("{name}/policy", PutPolicyAsync).RequireAuthorization(ApiScopes.AnalysesWrite)
            .WithSummary("Set the project's CI policy: a .dive-ci / layerlens.yaml body (rules, thresholds incl. maxLintSeverity); creates the project");
        return app;
    }

    private static async Task<IResult> GetPolicyAsync(string name, ProjectPolicies policies, CancellationToken ct) =>
        await policies.GetAsync(name, ct) is { } policy
            ? Results.Text(policy, "application/yaml")
            : NotFound(name);

    private static async Task<IResult> PutPolicyAsync(string name, HttpRequest request, ProjectPolicies policies, CancellationToken ct)
    {
        if (await ReadPolicyBodyAsync(request, ct) is not { } body)
        {
            return TooLarge();
        }
        try
        {
            await policies.SetAsync(name, body, ct);
        }
        catch (CiConfigException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid policy", Detail = ex.Message });
        }
        catch (ArgumentException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid project name", Detail = ex.Message });
        }
        return Results.NoContent();
    }

    private static async Task<IResult> GetAsync(string name, ProjectSettings settings, CancellationToken ct) =>
        await settings.GetAsync(name, ct) is { } project ? Results.Ok(project) : NotFound(name);

    private static async Task<IResult> PatchAsync(string name, HttpRequest request, ProjectSettings settings, CancellationToken ct)
    {
        if (request.ContentLength > 64 * 1024)
        {
            return Results.Problem(new ProblemDetails { Status = 413, Title = "Settings too large", Detail = "project settings are at most 64 KiB of JSON" });
        }
        ProjectPatch? patch;
        try
        {
            patch = await request.ReadFromJsonAsync<ProjectPatch>(ct);
        }
        catch (System.Text.Json.JsonException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid project settings", Detail = $"the JSON body is malformed: {ex.Message}" });
        }
        catch (InvalidOperationException)
        {
            return Results.Problem(new ProblemDetails { Status = 415, Title = "Unsupported content type", Detail = "send the settings as application/json, e.g. {\"defaultBranch\": \"main\"}" });
        }
        try
        {
            await settings.SetDefaultBranchAsync(name, patch?.DefaultBranch, ct);
        }
        catch (IntakeException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid project settings", Detail = ex.Message });
        }
        return Results.Ok(await settings.GetAsync(name.Trim(), ct));
    }

    private static async Task<IResult> GetRegressionPolicyAsync(string name, ProjectSettings settings, CancellationToken ct) =>
        await settings.GetRegressionPolicyAsync(name, ct) is { } policy ? Results.Text(policy.Write(), "application/json", System.Text.Encoding.UTF8) : NotFound(name);

    private static async Task<IResult> PutRegressionPolicyAsync(string name, HttpRequest request, ProjectSettings settings, CancellationToken ct)
    {
        if (await ReadPolicyBodyAsync(request, ct) is not { } body)
        {
            return TooLarge();
        }
        try
        {
            await settings.SetRegressionPolicyAsync(name, RegressionPolicyJson.Parse(body), ct);
        }
        catch (CiConfigException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid regression policy", Detail = ex.Message });
        }
        catch (IntakeException ex)
        {
            return Results.Problem(new ProblemDetails { Status = 400, Title = "Invalid project name", Detail = ex.Message });
        }
        return Results.NoContent();
    }

    private static async Task<IResult> DeleteRegressionPolicyAsync(string name, ProjectSettings settings, CancellationToken ct)
    {
        if (await settings.GetAsync(name, ct) is null)
        {
            return NotFound(name);
        }
        await settings.SetRegressionPolicyAsync(name, null, ct);
        return Results.NoContent();
    }

    /// <summary>The body as text, or null past <see cref="ServicePolicy.MaxBytes"/> (declared, or read from a chunked body without a length).</summary>
    private static async Task<string?> ReadPolicyBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > ServicePolicy.MaxBytes)
        {
            return null;
        }
        using var reader = new StreamReader(request.Body);
        var buffer = new char[ServicePolicy.MaxBytes + 1];
        var length = await reader.ReadBlockAsync(buffer, ct);
        return length > ServicePolicy.MaxBytes ? null : new string(buffer, 0, length);
    }

    private static IResult NotFound(string name) =>
        Results.Problem(new ProblemDetails { Status = 404, Title = "Project not found", Detail = $"there is no project '{name}'" });

    private static IResult TooLarge() =>
        Results.Problem(new ProblemDetails { Status = 413, Title = "Policy too large", Detail = $"a policy is at most {ServicePolicy.MaxBytes / 1024} KiB" });
}

/// <summary>Body of <c>PATCH /api/v1/projects/{name}</c>.</summary>
public sealed record ProjectPatch(string? DefaultBranch);
