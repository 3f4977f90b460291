using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.Tests.Saas;

/// <summary>The real docker-registry posts its notifications to the app; a skopeo push starts exactly one analysis per digest.</summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class RegistryPushHookTests(TwoWorkspacesApp app) : IClassFixture<TwoWorkspacesApp>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-hook-").FullName;

    private static Uri U(string path) => new(path, UriKind.Relative);

    private async Task<List<JsonElement>> AnalysesOfAsync(HttpClient http, string repository)
    {
        var page = await http.GetFromJsonAsync<JsonElement>(U("api/v1/analyses?pageSize=200"));
        return page.GetProperty("items").EnumerateArray().Where(a => a.GetProperty("project").GetString() == repository).Select(a => a.Clone()).ToList();
    }

    [Fact]
    public async Task A_pushed_image_is_analysed_once_even_when_the_same_digest_is_pushed_under_another_tag()
    {
        await using var registry = await RegistryServer.StartAsync(new RegistryOptions
        {
            NotificationUrl = new Uri(app.App.BaseAddress, "api/v1/hooks/registry"),
            NotificationAuthorization = "Bearer " + WebAppProcess.ApiKey,
        });
        var archive = Path.Combine(_dir, "scenario.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "docker-archive:" + archive, $"docker://{registry.Address}/team/app:1"]);

        var repository = $"{registry.Address}/team/app";
        JsonElement analysis = default;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var found = await AnalysesOfAsync(app.Alpha, repository);
            if (found.Count == 1 && found[0].GetProperty("status").GetString() is not ("queued" or "running"))
            {
                analysis = found[0];
                break;
            }
            await Task.Delay(250);
        }
        Assert.True(analysis.ValueKind == JsonValueKind.Object, $"no finished analysis of {repository}; app log:\n{app.App.Log}");
        Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
        var reference = analysis.GetProperty("source").GetProperty("reference").GetString()!;
        Assert.StartsWith($"{repository}@sha256:", reference, StringComparison.Ordinal);
        Assert.Equal(ScenarioImage.WastedBytes, analysis.GetProperty("summary").GetProperty("wastedBytes").GetInt64());

        // The same manifest under a second tag: the registry notifies again, nothing new starts.
        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--src-tls-verify=false", "--dest-tls-verify=false", $"docker://{registry.Address}/team/app:1", $"docker://{registry.Address}/team/app:again"]);
        var digest = reference[(reference.IndexOf('@', StringComparison.Ordinal) + 1)..];
        var envelope = $$$"""{"events":[{"id":"replayed","action":"push","target":{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","digest":"{{{digest}}}","repository":"team/app","url":"http://{{{registry.Address}}}/v2/team/app/manifests/{{{digest}}}","tag":"1"}}]}""";
        using var replay = await app.Alpha.PostAsync(U("api/v1/hooks/registry"), new StringContent(envelope, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("duplicates").GetInt32());
        await Task.Delay(2000);
        Assert.Single(await AnalysesOfAsync(app.Alpha, repository));

        // Another workspace never sees it.
        Assert.Empty(await AnalysesOfAsync(app.Beta, repository));
    }

    [Fact]
    public async Task A_workspaces_host_mapping_makes_the_hook_pull_from_the_mapped_host()
    {
        await using var registry = await RegistryServer.StartAsync(new RegistryOptions
        {
            NotificationUrl = new Uri(app.App.BaseAddress, "api/v1/hooks/registry"),
            NotificationAuthorization = "Bearer " + WebAppProcess.ApiKey,
        });
        // Pushed as localhost:PORT, the registry's notifications name that host; the workspace maps it to 127.0.0.1:PORT.
        var port = registry.Address[(registry.Address.LastIndexOf(':') + 1)..];
        var notified = $"localhost:{port}";
        using (var put = await app.Alpha.PutAsJsonAsync(U("api/v1/registry-hosts"), new { notificationHost = notified, pullHost = registry.Address }))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }
        var betaMappings = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/registry-hosts"));
        Assert.DoesNotContain(betaMappings.EnumerateArray(), m => m.GetProperty("notificationHost").GetString() == notified);

        var archive = Path.Combine(_dir, "mapped.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "docker-archive:" + archive, $"docker://{notified}/mapped/app:1"]);

        var repository = $"{registry.Address}/mapped/app";
        JsonElement analysis = default;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var found = await AnalysesOfAsync(app.Alpha, repository);
            if (found.Count == 1 && found[0].GetProperty("status").GetString() is not ("queued" or "running"))
            {
                analysis = found[0];
                break;
            }
            await Task.Delay(250);
        }
        Assert.True(analysis.ValueKind == JsonValueKind.Object, $"no finished analysis of {repository}; app log:\n{app.App.Log}");
        Assert.Equal("succeeded", analysis.GetProperty("status").GetString());
        Assert.StartsWith($"{repository}@sha256:", analysis.GetProperty("source").GetProperty("reference").GetString(), StringComparison.Ordinal);
        Assert.Empty(await AnalysesOfAsync(app.Alpha, $"{notified}/mapped/app"));
        Assert.Contains("registry-host.mapped", await app.Alpha.GetStringAsync(U("api/v1/audit")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bootstrap_host_mapping_applies_to_its_workspace_only_and_bad_hosts_are_refused()
    {
        var mappings = await app.Beta.GetFromJsonAsync<JsonElement>(U("api/v1/registry-hosts"));
        var mapping = Assert.Single(mappings.EnumerateArray(), m => m.GetProperty("notificationHost").GetString() == TwoWorkspacesApp.BetaMappedRegistry);
        Assert.Equal(TwoWorkspacesApp.BetaMappedPullHost, mapping.GetProperty("pullHost").GetString());

        const string Digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
        var envelope = $$$"""{"events":[{"id":"e1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Digest}}}","repository":"internal/app","url":"http://{{{TwoWorkspacesApp.BetaMappedRegistry}}}/v2/internal/app/manifests/{{{Digest}}}","tag":"7"}}]}""";
        using (var beta = await app.Beta.PostAsync(U("api/v1/hooks/registry"), new StringContent(envelope, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json")))
        {
            Assert.Equal(HttpStatusCode.OK, beta.StatusCode);
        }
        Assert.Single(await AnalysesOfAsync(app.Beta, $"{TwoWorkspacesApp.BetaMappedPullHost}/internal/app"));
        // Alpha has no such mapping: the same envelope names the notification's own host.
        using (var alpha = await app.Alpha.PostAsync(U("api/v1/hooks/registry"), new StringContent(envelope, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json")))
        {
            Assert.Equal(HttpStatusCode.OK, alpha.StatusCode);
        }
        Assert.Single(await AnalysesOfAsync(app.Alpha, $"{TwoWorkspacesApp.BetaMappedRegistry}/internal/app"));
        Assert.Empty(await AnalysesOfAsync(app.Alpha, $"{TwoWorkspacesApp.BetaMappedPullHost}/internal/app"));

        foreach (var bad in new[] { "http://x:5000", "x:5000/path", "user@x", "" })
        {
            using var put = await app.Alpha.PutAsJsonAsync(U("api/v1/registry-hosts"), new { notificationHost = bad, pullHost = "127.0.0.1:5000" });
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        }
        using var readOnly = app.App.CreateClient(TwoWorkspacesApp.BetaReadOnlyKey);
        using var forbidden = await readOnly.PutAsJsonAsync(U("api/v1/registry-hosts"), new { notificationHost = "a:1", pullHost = "b:2" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task A_mapped_pull_host_still_passes_the_private_network_guard()
    {
        // Private targets are not allowed here; the mapping points at loopback, which the guard refuses without
        // sending anything (the address is a literal, nothing is resolved or contacted).
        await using var guarded = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Bootstrap__Workspaces__0__RegistryHosts__0"] = "registry.public.example=127.0.0.1:5000",
        });
        using var http = guarded.CreateClient();
        const string Digest = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
        var envelope = $$$"""{"events":[{"id":"e2","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{{{Digest}}}","repository":"team/app","url":"https://registry.public.example/v2/team/app/manifests/{{{Digest}}}","tag":"1"}}]}""";
        using var response = await http.PostAsync(U("api/v1/hooks/registry"), new StringContent(envelope, Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("analyses").EnumerateArray());
        var page = await http.GetFromJsonAsync<JsonElement>(U("api/v1/analyses"));
        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.Contains("127.0.0.1:5000/team/app", guarded.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hook_needs_a_key_with_write_scope()
    {
        using var anonymous = app.App.CreateClient(apiKey: null);
        using var response = await anonymous.PostAsync(U("api/v1/hooks/registry"), new StringContent("{\"events\":[]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var readOnly = app.App.CreateClient(TwoWorkspacesApp.BetaReadOnlyKey);
        using var forbidden = await readOnly.PostAsync(U("api/v1/hooks/registry"), new StringContent("{\"events\":[]}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
