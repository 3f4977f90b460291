using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Browser;
using Microsoft.Playwright;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.BrowserTests;

/// <summary>Two versions of an image, analysed by the running app, compared in Chromium as a user would.</summary>
[Trait(Needs.Trait, Needs.Chromium)]
public sealed class CompareFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-compare-flow-").FullName;

    // v1: etc/os-release 100 B, app/main.js 10 B, app/old/{a.js 1 B, b.js 2 B}.
    // v2: app/old gone, main.js 12 B, app/new/c.js 3 B, and a 500 B cache deleted in its second layer.
    private static SyntheticImage Version1() => new(new LayerTarBuilder()
        .Dir("etc").File("etc/os-release", 100, seed: 1)
        .Dir("app").File("app/main.js", 10, seed: 2)
        .Dir("app/old").File("app/old/a.js", 1, seed: 3).File("app/old/b.js", 2, seed: 4)
        .Build());

    private static SyntheticImage Version2() => new(
        new LayerTarBuilder()
            .Dir("etc").File("etc/os-release", 100, seed: 1)
            .Dir("app").File("app/main.js", 12, seed: 5)
            .Dir("app/new").File("app/new/c.js", 3, seed: 6)
            .Dir("tmp").File("tmp/cache.bin", 500, seed: 8)
            .Build(),
        new LayerTarBuilder().Whiteout("tmp").Build());

    private async Task<string> AnalyseAsync(SyntheticImage image, string name)
    {
        var archive = Path.Combine(_dir, name + ".tar");
        image.WriteDockerArchiveClassic(archive);
        using var http = fixture.App.CreateClient();
        await using var body = File.OpenRead(archive);
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await http.PostAsync(new Uri($"api/v1/analyses?name=shop:{name}", UriKind.Relative), content);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await http.GetFromJsonAsync<JsonElement>($"api/v1/analyses/{id}")).GetProperty("status").GetString() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"analysis {name} did not finish");
            await Task.Delay(200);
        }
        return id;
    }

    [Fact]
    public async Task Compare_two_versions_and_see_the_deltas_and_the_changed_files() =>
        await fixture.RunAsync(nameof(Compare_two_versions_and_see_the_deltas_and_the_changed_files), async page =>
        {
            var v1 = await AnalyseAsync(Version1(), "1");
            var v2 = await AnalyseAsync(Version2(), "2");

            await page.GotoAsync($"/compare?a={v1}&b={v2}");

            // Shipped 113 B → 615 B; visible 113 B → 115 B; dead 0 → the 500 B cache.
            await Assertions.Expect(page.GetByTestId("delta-size")).ToHaveTextAsync("+502 B");
            await Assertions.Expect(page.GetByTestId("delta-final")).ToHaveTextAsync("+2 B");
            await Assertions.Expect(page.GetByTestId("delta-wasted")).ToHaveTextAsync("+500 B");
            await Assertions.Expect(page.GetByTestId("compare-totals")).ToContainTextAsync("1 added (3 B)");
            var rows = page.GetByTestId("compare-row");
            await Assertions.Expect(rows).ToHaveCountAsync(3);
            await Assertions.Expect(page.Locator("[data-testid=compare-row][data-path='app/main.js']")).ToHaveAttributeAsync("data-change", "changed");
            await Assertions.Expect(page.Locator("[data-testid=compare-row][data-path='app/new']")).ToHaveAttributeAsync("data-change", "added");
            await Assertions.Expect(page.Locator("[data-testid=compare-row][data-path='app/old']")).ToHaveAttributeAsync("data-change", "removed");

            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToHaveCountAsync(1);
            await page.Locator(".mud-chip").GetByText("Removed", new() { Exact = true }).ClickAsync();
            await Assertions.Expect(rows).ToHaveCountAsync(1);
            await Assertions.Expect(rows.First).ToHaveAttributeAsync("data-path", "app/old");
        });

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
