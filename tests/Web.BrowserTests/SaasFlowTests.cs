using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Browser;
using LayerLens.TestInfrastructure.WebApp;
using Microsoft.Playwright;

namespace LayerLens.Web.BrowserTests;

/// <summary>
/// A fresh install in Chromium: the first visitor creates the administrator, creates an API key on its page, a CI
/// client uses the key, and the analysis page shows the verdict; a second account's workspace cannot open it.
/// </summary>
[Trait(Needs.Trait, Needs.Chromium)]
public sealed class SaasFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string Password = "a-long-password-2026";

    private static async Task InteractiveAsync(IPage page) =>
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

    private static async Task SignUpAsync(IPage page, string email, string workspace)
    {
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").FillAsync(Password);
        await page.GetByTestId("workspace").FillAsync(workspace);
        await page.GetByTestId("signup").ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
    }

    [Fact]
    public async Task The_first_visitor_creates_the_admin_makes_an_api_key_and_sees_a_submitted_analysis_with_its_verdict()
    {
        await using var app = await WebAppProcess.StartAsync(bootstrap: false);
        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        try
        {
            // No account yet: any page leads to creating the administrator.
            await page.GotoAsync("/");
            await page.WaitForURLAsync(url => url.Contains("/account/signup", StringComparison.Ordinal), new() { Timeout = 60_000 });
            await InteractiveAsync(page);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create the administrator" })).ToBeVisibleAsync();
            await SignUpAsync(page, "owner@alpha.test", "alpha");

            await page.GotoAsync("/settings/keys");
            await InteractiveAsync(page);
            await page.GetByTestId("create-key").ClickAsync();
            var key = (await page.GetByTestId("new-key").TextContentAsync())!.Trim();
            Assert.StartsWith("llk_", key, StringComparison.Ordinal);

            // A CI client with that key submits a Dockerfile whose untagged FROM (a warning) breaks an info-level policy.
            using var http = app.CreateClient(key);
            using var form = new MultipartFormDataContent
            {
                { new ByteArrayContent(Encoding.UTF8.GetBytes("FROM ubuntu\nRUN echo hi\n")), "dockerfile", "Dockerfile" },
                { new StringContent("thresholds:\n  maxLintSeverity: info\n"), "ciconfig" },
            };
            using var posted = await http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), form);
            Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
            var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

            await page.GotoAsync($"/analyses/{id}");
            await Assertions.Expect(page.GetByTestId("analysis-status")).ToContainTextAsync("Succeeded", new() { Timeout = 60_000 });
            await Assertions.Expect(page.GetByTestId("analysis-verdict")).ToContainTextAsync("failed (maxLintSeverity)");

            // The key has the default scopes only: the audit log API (webhooks:manage) is refused to it...
            using (var audit = await http.GetAsync(new Uri("api/v1/audit", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.Forbidden, audit.StatusCode);
            }
            // ...while the owner sees the key's creation there, without the key itself.
            await page.GotoAsync("/settings/members");
            await Assertions.Expect(page.GetByTestId("audit-table")).ToContainTextAsync("apikey.created");
            Assert.DoesNotContain(key, await page.GetByTestId("audit-table").TextContentAsync() ?? "", StringComparison.Ordinal);

            // Another account (its own workspace) cannot open the analysis page.
            await page.GetByTestId("signout").ClickAsync();
            await page.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal));
            await page.GotoAsync("/account/signup");
            await InteractiveAsync(page);
            await SignUpAsync(page, "owner@beta.test", "beta");
            await page.GotoAsync($"/analyses/{id}");
            await Assertions.Expect(page.GetByTestId("analysis-not-found")).ToBeVisibleAsync();
        }
        catch
        {
            var stem = Path.Combine(RepositoryPaths.Artifacts, "browser-saas-flow");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".png", FullPage = true });
            await File.WriteAllTextAsync(stem + ".app.log", app.Log);
            throw;
        }
    }
}
