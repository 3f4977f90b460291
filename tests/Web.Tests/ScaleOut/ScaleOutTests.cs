using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.Web.Tests.Hosting;
using LayerLens.Web.Tests.Saas;
using Xunit.Abstractions;

namespace LayerLens.Web.Tests.ScaleOut;

/// <summary>
/// Issue 14's scale-out test, with real processes: one web node and two workers, each on its own empty data
/// directory (as on separate machines), sharing only PostgreSQL and the registry store. Twenty analyses (uploads,
/// registry references, Dockerfile reviews) all complete, both workers run some, the web node
/// serves every report and tree; then every process stops, every data directory is deleted, and a fresh web node
/// on a new empty directory still serves every report (byte for byte) and tree: the store is the only shared thing.
/// </summary>
[Trait(Needs.Trait, Needs.PostgreSQL)]
[Trait(Needs.Trait, Needs.Registry)]
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed partial class ScaleOutTests(ITestOutputHelper output)
{
    private const int SyntheticUploads = 15;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Web_and_two_workers_on_separate_data_directories_complete_twenty_analyses_and_lose_nothing_when_every_directory_is_deleted()
    {
        var clock = Stopwatch.StartNew();
        var buildahUpload = await ScaleOutSubmissions.BuildahImageAsync(ImageFormat.DockerArchive);
        var buildahLayout = await ScaleOutSubmissions.BuildahImageAsync(ImageFormat.OciLayout);
        await using var cluster = await ScaleOutCluster.StartAsync();
        await cluster.Source.PushAsync(buildahLayout, "team/app", "v1");
        await cluster.Source.PushAsync(buildahLayout, "team/other", "v2");

        // The web node first: it creates the bootstrap workspace.
        var web = await cluster.StartNodeAsync("web", bootstrap: true);
        var workers = await Task.WhenAll(cluster.StartNodeAsync("worker", bootstrap: false), cluster.StartNodeAsync("worker", bootstrap: false));
        Assert.Equal(3, cluster.DataDirectories.Distinct().Count());
        output.WriteLine($"started in {clock.Elapsed.TotalSeconds:0.0} s");

        using var api = web.CreateClient();
        var submitted = new List<Submitted>();
        for (var n = 0; n < SyntheticUploads; n++)
        {
            submitted.Add(await ScaleOutSubmissions.UploadAsync(api, $"app{n}", ScaleOutSubmissions.SyntheticArchive(n), $"srv{n}"));
        }
        submitted.Add(await ScaleOutSubmissions.UploadAsync(api, "buildah-app", await File.ReadAllBytesAsync(buildahUpload.Path), "srv"));
        submitted.Add(await ScaleOutSubmissions.ReferenceAsync(api, cluster.Source.Reference("team/app", "v1"), "srv"));
        submitted.Add(await ScaleOutSubmissions.ReferenceAsync(api, cluster.Source.Reference("team/other", "v2"), "srv"));
        submitted.Add(await ScaleOutSubmissions.ReviewAsync(api, withContext: true));
        submitted.Add(await ScaleOutSubmissions.ReviewAsync(api, withContext: false));
        Assert.Equal(20, submitted.Count);

        foreach (var analysis in submitted)
        {
            var status = await RoleApps.WaitForEndAsync(api, analysis.Id, Patience, () => cluster.Logs);
            Assert.True(status == "succeeded", $"analysis {analysis.Id} ({analysis.Kind}) is {status}:\n{cluster.Logs}");
        }
        output.WriteLine($"20 analyses done at {clock.Elapsed.TotalSeconds:0.0} s");

        // Each worker counts the runs it finished; together they ran each analysis once, and each ran some.
        var ran = new List<long>();
        foreach (var worker in workers)
        {
            ran.Add(await SucceededRunsAsync(worker));
        }
        output.WriteLine($"runs per worker: {string.Join(", ", ran)}");
        Assert.Equal(submitted.Count, ran.Sum());
        Assert.All(ran, count => Assert.True(count > 0, $"a worker ran no analysis (runs per worker: {string.Join(", ", ran)})"));

        var reports = await AssertServedAsync(web, submitted);

        // Nothing but the database and the store outlives the nodes.
        await cluster.StopAllAndDeleteDataAsync();
        Assert.All(cluster.DataDirectories, data => Assert.False(Directory.Exists(data), data));
        var fresh = await cluster.StartNodeAsync("web", bootstrap: true);
        var again = await AssertServedAsync(fresh, submitted);
        foreach (var analysis in submitted)
        {
            Assert.Equal(reports[analysis.Id], again[analysis.Id]);
        }
        output.WriteLine($"served again by a fresh web node at {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>
    /// Registry credentials sent with an analysis are stored encrypted by the web node; a worker on another machine
    /// (its own data directory) must still read them to pull the image.
    /// </summary>
    [Fact]
    public async Task A_registry_reference_with_credentials_sent_to_the_web_node_is_pulled_by_a_worker_on_its_own_data_directory()
    {
        var image = await ScaleOutSubmissions.BuildahImageAsync(ImageFormat.OciLayout);
        await using var cluster = await ScaleOutCluster.StartAsync();
        await using var customer = await RegistryServer.StartAsync(new RegistryOptions { Auth = RegistryAuth.Basic });
        cluster.PrivateSourceAddress = customer.Address;
        await customer.PushAsync(image, "team/private", "v1");
        var web = await cluster.StartNodeAsync("web", bootstrap: true);
        await cluster.StartNodeAsync("worker", bootstrap: false);
        using var api = web.CreateClient();

        var analysis = await ScaleOutSubmissions.ReferenceAsync(api, customer.Reference("team/private", "v1"), "srv", (customer.Username, customer.Password));
        var status = await RoleApps.WaitForEndAsync(api, analysis.Id, Patience, () => cluster.Logs);
        Assert.True(status == "succeeded", $"analysis {analysis.Id} is {status}:\n{cluster.Logs}");
    }

    /// <summary>Every JSON report through the API, every image's tree through its page (prerendered first level); returns the reports.</summary>
    private static async Task<Dictionary<string, string>> AssertServedAsync(WebAppProcess web, IReadOnlyList<Submitted> submitted)
    {
        using var api = web.CreateClient();
        using var session = await CookieSession.SignInAsync(web, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);
        var reports = new Dictionary<string, string>();
        foreach (var analysis in submitted)
        {
            using var report = await api.GetAsync(new Uri($"api/v1/analyses/{analysis.Id}/report?format=json", UriKind.Relative));
            var body = await report.Content.ReadAsStringAsync();
            Assert.True(report.StatusCode == HttpStatusCode.OK, $"report of {analysis.Id}: {(int)report.StatusCode} {body}\n{web.Log}");
            reports[analysis.Id] = body;
            if (analysis.RootEntry is { } root)
            {
                var page = await session.GetPageAsync($"/analyses/{analysis.Id}");
                Assert.DoesNotContain("The file tree of this analysis is not stored", page, StringComparison.Ordinal);
                Assert.Contains("data-testid=\"explorer\"", page, StringComparison.Ordinal);
                Assert.Contains(root, page, StringComparison.Ordinal);
            }
        }
        return reports;
    }

    private static async Task<long> SucceededRunsAsync(WebAppProcess worker)
    {
        using var http = worker.CreateClient(apiKey: null);
        var metrics = await http.GetStringAsync(new Uri("metrics", UriKind.Relative));
        return SucceededCount().Matches(metrics).Sum(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex("^layerlens_analysis_duration_seconds_count\\{kind=\"[a-z]+\",outcome=\"succeeded\"\\} ([0-9]+)$", RegexOptions.Multiline)]
    private static partial Regex SucceededCount();
}
