using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Hosting;

/// <summary>
/// Structured logs (the JSON console formatter with scopes, as the container image configures it): every line logged
/// while an analysis job runs carries its id, including lines of other libraries (EF Core's SQL) the job causes.
/// </summary>
public sealed class AnalysisLogScopeTests
{
    [Fact]
    public async Task Every_line_the_job_logs_carries_the_analysis_id()
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__Console__FormatterOptions__IncludeScopes"] = "true",
            // EF Core's SQL lines: many of them are logged inside the job (claim, progress, finish), others by API requests.
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore.Database.Command"] = "Information",
            ["Logging__LogLevel__LayerLens"] = "Debug",
        });
        using var api = app.CreateClient();

        var id = await RoleApps.SubmitScenarioAsync(api, "scoped-logs");
        Assert.Equal("succeeded", await RoleApps.WaitForEndAsync(api, id, TimeSpan.FromSeconds(60), () => app.Log));
        await Task.Delay(500); // the last lines reach stdout

        var entries = app.Log.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        // Only the job updates a row's heartbeat or claims it by run id: these SQL lines are logged inside the job.
        var jobSql = entries.Where(e => e.GetProperty("Category").GetString() == "Microsoft.EntityFrameworkCore.Database.Command"
            && e.GetProperty("Message").GetString()!.Contains("\"HeartbeatAtUtc\" = ", StringComparison.Ordinal)).ToList();
        Assert.True(jobSql.Count >= 2, $"expected the claim's and the progress's SQL lines, found {jobSql.Count}:\n{app.Log}");
        Assert.All(jobSql, e => Assert.Equal(id, AnalysisIdOf(e)));
        // Lines outside any job (start-up, the upload request) carry none: the scope ends with the job.
        Assert.Contains(entries, e => AnalysisIdOf(e) is null);
    }

    private static string? AnalysisIdOf(JsonElement entry) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("AnalysisId", out _))
                .Select(s => s.GetProperty("AnalysisId").GetString()).FirstOrDefault()
            : null;
}
