using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Browser;
using Microsoft.Playwright;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.BrowserTests;

/// <summary>
/// An owner changes a member's role and then removes them on the Members page; the member's own signed-in session
/// (cookie-authenticated API calls, the dashboard, and a tab opened before the change) follows each change on its very
/// next request or action.
/// </summary>
[Trait(Needs.Trait, Needs.Chromium)]
public sealed class MemberAccessFlowTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private const string MemberEmail = "leaving-member@flow.test";

    private static Uri U(string path) => new(path, UriKind.Relative);

    private static async Task InteractiveAsync(IPage page) =>
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });

    /// <summary>A finished analysis of the bootstrap workspace (a quick Dockerfile review).</summary>
    private async Task<string> FinishedAnalysisAsync(HttpClient http)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Encoding.UTF8.GetBytes("FROM scratch\nCOPY a /a\n")), "dockerfile", "Dockerfile" } };
        using var posted = await http.PostAsync(U("api/v1/analyses?name=members-only"), form);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        var id = (await posted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((await http.GetFromJsonAsync<JsonElement>(U($"api/v1/analyses/{id}"))).GetProperty("status").GetString() is "queued" or "running")
        {
            Assert.True(DateTime.UtcNow < deadline, $"analysis {id} did not finish:\n{fixture.App.Log}");
            await Task.Delay(200);
        }
        return id;
    }

    /// <summary>A write a member may do and a viewer may not: retrying a finished analysis (409: nothing to retry).</summary>
    private static async Task<HttpStatusCode> WriteAsync(IPage member, string id, string token)
    {
        var response = await member.APIRequest.PostAsync($"/api/v1/analyses/{id}/retry",
            new APIRequestContextOptions { Headers = new Dictionary<string, string> { ["X-LayerLens-Antiforgery"] = token } });
        return (HttpStatusCode)response.Status;
    }

    private static async Task<HttpStatusCode> ReadAsync(IPage member, string id) =>
        (HttpStatusCode)(await member.APIRequest.GetAsync($"/api/v1/analyses/{id}")).Status;

    [Fact]
    public async Task A_role_change_to_viewer_and_a_removal_take_effect_on_the_members_next_request() =>
        await fixture.RunAsync(nameof(A_role_change_to_viewer_and_a_removal_take_effect_on_the_members_next_request), async owner =>
        {
            using var http = fixture.App.CreateClient();
            var id = await FinishedAnalysisAsync(http);
            using var invited = await http.PostAsJsonAsync(U("api/v1/invitations"), new { email = MemberEmail, role = "member" });
            Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
            var link = new Uri((await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("link").GetString()!).AbsolutePath;

            // The member signs up through the link in their own browser.
            await using var memberContext = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = fixture.App.BaseAddress.ToString() });
            var member = await memberContext.NewPageAsync();
            member.SetDefaultTimeout(30_000);
            await member.GotoAsync(link);
            // Fill the form only once the circuit has taken over the prerendered page (it re-renders the inputs).
            await InteractiveAsync(member);
            await member.GetByTestId("password").FillAsync("leaving-member-pass-2026");
            await member.GetByTestId("invitation-signup").ClickAsync();
            await member.WaitForURLAsync(url => !url.Contains("/invitations/", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
            await member.GotoAsync("/");
            await InteractiveAsync(member);
            await Assertions.Expect(member.Locator($"a[href='/analyses/{id}']")).ToBeVisibleAsync();
            var token = await member.Locator("meta[name=layerlens-antiforgery]").GetAttributeAsync("content");
            Assert.False(string.IsNullOrEmpty(token));
            Assert.Equal(HttpStatusCode.OK, await ReadAsync(member, id));
            Assert.Equal(HttpStatusCode.Conflict, await WriteAsync(member, id, token!));

            // The member opens New analysis while still a member: this tab's circuit starts with write rights.
            var openTab = await memberContext.NewPageAsync();
            openTab.SetDefaultTimeout(30_000);
            await openTab.GotoAsync("/analyses/new");
            await InteractiveAsync(openTab);

            // The owner makes them a viewer (people join only through invitations; the Members page changes roles of
            // existing members): the next write is refused, reading still works.
            await owner.GotoAsync("/settings/members");
            await InteractiveAsync(owner);
            var row = owner.GetByTestId("members-table").Locator("tr", new() { HasText = MemberEmail });
            await row.Locator(".mud-select").First.ClickAsync();
            await owner.Locator(".mud-popover-open").GetByText("viewer", new() { Exact = true }).ClickAsync();
            await Assertions.Expect(row.Locator(".mud-select input").First).ToHaveValueAsync("Viewer", new() { Timeout = 15_000 });
            var until = DateTime.UtcNow.AddSeconds(15);
            while (await WriteAsync(member, id, token!) != HttpStatusCode.Forbidden)
            {
                Assert.True(DateTime.UtcNow < until, "the demoted member can still write");
                await Task.Delay(200);
            }
            Assert.Equal(HttpStatusCode.OK, await ReadAsync(member, id));

            // The tab opened before the demotion: its first event makes the circuit follow the new role (the page is
            // created anew, so a value typed in that same event may be lost: type again until the start is answered);
            // the start is then refused by the service, not only the API.
            var refusedBy = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                await openTab.GetByTestId("registry-image").FillAsync("registry.example.com/team/app:1");
                await openTab.GetByTestId("registry-start").ClickAsync();
                try
                {
                    await Assertions.Expect(openTab.GetByTestId("registry-error")).ToContainTextAsync("analyses:write", new() { Timeout = 5_000 });
                    break;
                }
                catch (Exception) when (DateTime.UtcNow < refusedBy)
                {
                    await openTab.WaitForTimeoutAsync(200);
                }
            }
            Assert.EndsWith("/analyses/new", openTab.Url, StringComparison.Ordinal);

            // The owner removes them: the same session no longer reaches the workspace's analysis or lists it.
            await row.GetByRole(AriaRole.Button, new() { Name = "Remove" }).ClickAsync();
            await Assertions.Expect(row).ToHaveCountAsync(0);
            Assert.Contains(await ReadAsync(member, id), new[] { HttpStatusCode.NotFound, HttpStatusCode.Forbidden });
            var list = await member.APIRequest.GetAsync("/api/v1/analyses");
            Assert.True(list.Status is 403 or 404 || !(await list.TextAsync()).Contains(id, StringComparison.Ordinal), $"the list still shows {id}: {list.Status}");
            // The tab still open since before the demotion: its next event (typing) makes the live circuit re-read the
            // membership; the member is in no workspace now, so the page gives way to the "no longer have access" notice.
            // (Any inbound activity counts: a render acknowledgement may already have replaced the page, then there is no
            // input left to type into.)
            var lost = openTab.GetByTestId("workspace-access-lost");
            if (await lost.CountAsync() == 0)
            {
                try
                {
                    await openTab.GetByTestId("registry-image").FillAsync("registry.example.com/team/app:2", new() { Timeout = 5_000 });
                }
                catch (TimeoutException)
                {
                    // The page gave way between the check and the typing.
                }
            }
            await Assertions.Expect(lost).ToBeVisibleAsync(new() { Timeout = 15_000 });
            Assert.Equal(0, await openTab.GetByTestId("registry-image").CountAsync());
            await member.GotoAsync("/");
            Assert.Equal(0, await member.Locator($"a[href='/analyses/{id}']").CountAsync());
            Assert.DoesNotContain(id, await member.ContentAsync(), StringComparison.Ordinal);
        });
}
