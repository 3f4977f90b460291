using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// A registry host mapping in the bootstrap configuration goes through the same upsert as the API: normalised,
/// added once, replaced when the configuration changes, and recorded in the workspace's audit log only then.
/// </summary>
public sealed class BootstrapHostMappingTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-bootstrap-hosts-").FullName;

    private static Uri U(string path) => new(path, UriKind.Relative);

    private async Task<(List<(string From, string To)> Mappings, List<string> Audit)> StartWithAsync(string entry)
    {
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Bootstrap__Workspaces__0__RegistryHosts__0"] = entry,
        }, dataDirectory: _data);
        using var http = app.CreateClient();
        var mappings = (await http.GetFromJsonAsync<JsonElement>(U("api/v1/registry-hosts"))).EnumerateArray()
            .Select(m => (m.GetProperty("notificationHost").GetString()!, m.GetProperty("pullHost").GetString()!)).ToList();
        var audit = (await http.GetFromJsonAsync<JsonElement>(U("api/v1/audit"))).EnumerateArray()
            .Where(a => a.GetProperty("action").GetString() == "registry-host.mapped")
            .Select(a => $"{a.GetProperty("actor").GetString()}: {a.GetProperty("detail").GetString()}").ToList();
        return (mappings, audit);
    }

    [Fact]
    public async Task A_configured_mapping_is_added_once_replaced_when_changed_and_audited_only_on_change()
    {
        var first = await StartWithAsync(" Registry.Internal:5000 = 127.0.0.1:5000 ");
        Assert.Equal([("registry.internal:5000", "127.0.0.1:5000")], first.Mappings);
        Assert.Equal(["bootstrap: registry.internal:5000 → 127.0.0.1:5000"], first.Audit);

        // The same configuration on the next start changes and records nothing.
        var again = await StartWithAsync("registry.internal:5000=127.0.0.1:5000");
        Assert.Equal(first.Mappings, again.Mappings);
        Assert.Equal(first.Audit, again.Audit);

        // A new pull host for the same notification host replaces the row.
        var changed = await StartWithAsync("registry.internal:5000=127.0.0.1:6000");
        Assert.Equal([("registry.internal:5000", "127.0.0.1:6000")], changed.Mappings);
        Assert.Equal(["bootstrap: registry.internal:5000 → 127.0.0.1:5000", "bootstrap: registry.internal:5000 → 127.0.0.1:6000"], changed.Audit.Order(StringComparer.Ordinal));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
