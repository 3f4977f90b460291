using System.IO.Compression;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.Browser;
using Microsoft.Playwright;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.BrowserTests;

/// <summary>A reviewer pastes a badly ordered Dockerfile with its context and reads the finding, the diff and the saving.</summary>
[Trait(Needs.Trait, Needs.Chromium)]
public sealed class DockerfileReviewFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    // Line 4 copies everything before the install on line 5: any source edit re-runs `npm ci`.
    private const string BadlyOrdered = "FROM node:22\nWORKDIR /app\n# all sources\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n";

    private static string ContextZip()
    {
        var path = Path.Combine(Path.GetTempPath(), $"layerlens-review-context-{Guid.NewGuid():N}.zip");
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (name, content) in new[] { ("package.json", "{\"name\":\"shop\"}\n"), ("package-lock.json", "{}\n"), ("index.js", "console.log('shop')\n") })
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write(content);
        }
        return path;
    }

    [Fact]
    public async Task Paste_a_badly_ordered_Dockerfile_with_its_context_and_see_the_finding_the_diff_and_the_expected_saving() =>
        await fixture.RunAsync(nameof(Paste_a_badly_ordered_Dockerfile_with_its_context_and_see_the_finding_the_diff_and_the_expected_saving), async page =>
        {
            var context = ContextZip();
            try
            {
                await page.GotoAsync("/analyses/new");
                await Assertions.Expect(page.Locator("[data-interactive=true]")).ToHaveCountAsync(1);
                // This app leaves LayerLens:Measurement:Enabled off: the page says so and offers no measuring.
                await Assertions.Expect(page.GetByTestId("review-no-builder")).ToContainTextAsync("Measuring rebuilds is off on this server");
                await Assertions.Expect(page.Locator("[data-testid=review-measure] input, input[data-testid=review-measure]")).ToBeDisabledAsync();
                await page.GetByLabel("Dockerfile", new() { Exact = true }).FillAsync(BadlyOrdered);
                await page.Locator("#ll-context-file").SetInputFilesAsync(context);
                await page.GetByTestId("review-start").ClickAsync();
                await Assertions.Expect(page).ToHaveURLAsync(new Regex("/analyses/[0-9a-f-]{36}$"), new() { Timeout = 20_000 });
                await Assertions.Expect(page.GetByTestId("analysis-status")).ToContainTextAsync("Succeeded", new() { Timeout = 20_000 });

                // The finding sits on line 4, and its rule explains itself in one click.
                var finding = page.Locator("[data-testid=finding][data-rule='LL-1001']");
                await Assertions.Expect(finding).ToHaveAttributeAsync("data-line", "4");
                await finding.GetByTestId("finding-docs").ClickAsync();
                await Assertions.Expect(page.GetByTestId("rule-doc")).ToContainTextAsync("How to fix");

                // The recommendation installs from the manifests before copying the sources.
                await page.GetByRole(AriaRole.Tab, new() { Name = "Recommended" }).ClickAsync();
                var right = page.GetByTestId("diff-right");
                await Assertions.Expect(right.Filter(new() { HasTextRegex = new Regex("^COPY .*package.*\\./$") })).ToHaveCountAsync(1);
                await Assertions.Expect(page.GetByTestId("diff-reason").First).ToContainTextAsync("split-copy");

                // The cost model expects the recommended rebuild to be cheaper.
                await page.GetByRole(AriaRole.Tab, new() { Name = "Savings" }).ClickAsync();
                var saved = page.Locator("[data-testid=savings-row][data-scenario=expected] [data-testid=savings-saved]");
                await Assertions.Expect(saved).ToHaveTextAsync(new Regex("^[1-9][0-9]*\\.[0-9]{2} s \\([1-9][0-9]*%\\)$|^0\\.[0-9]*[1-9][0-9]* s \\([1-9][0-9]*%\\)$"));
                // The expected scenario carries per-step seconds, so the chart is stacked per build step.
                await Assertions.Expect(page.GetByTestId("savings-stacked").Locator("[data-testid=savings-step]").First).ToBeVisibleAsync();
            }
            finally
            {
                File.Delete(context);
            }
        });
}
