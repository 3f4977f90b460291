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
/// In Chromium: an account with its own workspace accepts an invitation into another, sees that workspace's
/// analyses, and switches back with the app bar's workspace switcher.
/// </summary>
[Trait(Needs.Trait, Needs.Chromium)]
public sealed class WorkspaceFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static async Task InteractiveAsync(IPage page) =>
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

    [Fact]
    public async Task An_invited_account_joins_sees_the_workspace_and_switches_back_to_its_own()
    {
        await using var app = await WebAppProcess.StartAsync();
        using var http = app.CreateClient();
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("FROM scratch\nCOPY a /a\n")), "dockerfile", "Dockerfile" } };
        using var posted = await http.PostAsync(new Uri("api/v1/analyses?name=team-review", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        using var invited = await http.PostAsJsonAsync(new Uri("api/v1/invitations", UriKind.Relative), new { email = "invitee@flow.test", role = "viewer" });
        var link = new Uri((await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("link").GetString()!).AbsolutePath;

        await using var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        try
        {
            await page.GotoAsync("/account/signup");
            await InteractiveAsync(page);
            await page.GetByTestId("email").FillAsync("invitee@flow.test");
            await page.GetByTestId("password").FillAsync("invitee-password-2026");
            await page.GetByTestId("workspace").FillAsync("own-space");
            await page.GetByTestId("signup").ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });

            await page.GotoAsync(link);
            await InteractiveAsync(page);
            await Assertions.Expect(page.GetByTestId("invitation-summary")).ToContainTextAsync(WebAppProcess.WorkspaceName);
            await page.GetByTestId("invitation-accept").ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("/invitations/", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
            await InteractiveAsync(page);
            await Assertions.Expect(page.Locator($"a[href='/analyses/{id}']")).ToBeVisibleAsync();

            // The switcher posts the choice as soon as another workspace is selected.
            await page.GetByTestId("workspace-select").SelectOptionAsync(new SelectOptionValue { Label = "own-space (owner)" });
            await Assertions.Expect(page.GetByTestId("dashboard-empty")).ToBeVisibleAsync(new() { Timeout = 60_000 });
            await Assertions.Expect(page.Locator($"a[href='/analyses/{id}']")).ToHaveCountAsync(0);
            await page.GotoAsync($"/analyses/{id}");
            await Assertions.Expect(page.GetByTestId("analysis-not-found")).ToBeVisibleAsync();
        }
        catch
        {
            var stem = Path.Combine(RepositoryPaths.Artifacts, "browser-workspace-flow");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".png", FullPage = true });
            await File.WriteAllTextAsync(stem + ".app.log", app.Log);
            throw;
        }
    }
}
