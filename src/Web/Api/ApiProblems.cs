using Microsoft.AspNetCore.Mvc;

namespace LayerLens.Web.Api;

/// <summary>RFC 7807 answers written outside an endpoint (authentication, rate limits).</summary>
public static class ApiProblems
{
    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(
            new ProblemDetails { Status = status, Title = title, Detail = detail },
            (System.Text.Json.JsonSerializerOptions?)null,
            "application/problem+json");
    }
}
