using LayerLens.TestInfrastructure.Browser;
using Microsoft.Playwright;
using LayerLens.TestInfrastructure;

namespace LayerLens.Web.BrowserTests;

[Trait(Needs.Trait, Needs.Chromium)]
public sealed class ShellTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    [Fact]
    public Task The_home_page_shows_the_product_and_its_navigation_and_a_link_leads_on() =>
        fixture.RunAsync(nameof(The_home_page_shows_the_product_and_its_navigation_and_a_link_leads_on), async page =>
        {
            await page.GotoAsync("/");

            await Assertions.Expect(page.GetByTestId("product-name")).ToHaveTextAsync("LayerLens");
            var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main navigation" });
            foreach (var item in new[] { "Dashboard", "New analysis", "Projects", "Settings" })
            {
                await Assertions.Expect(nav.GetByRole(AriaRole.Link, new() { Name = item })).ToBeVisibleAsync();
            }

            await Assertions.Expect(page.GetByTestId("dashboard-empty")).ToBeVisibleAsync();

            // Navigate once the circuit has taken over the prerendered page: a click racing its start can leave the
            // interactive router rendering the page it started on.
            await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
            await nav.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
            await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/settings$"));
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Settings" })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByTestId("settings-table")).ToContainTextAsync("Sqlite");
            // The bootstrap admin is the first account of this fresh install, so the server's administrator: the server path
            // is shown to them (other owners do not see it: AdversarialReviewTests).
            await Assertions.Expect(page.GetByTestId("settings-data-directory")).ToContainTextAsync(fixture.App.DataDirectory);
        });

    [Fact]
    public Task The_theme_toggle_switches_to_dark_mode() =>
        fixture.RunAsync(nameof(The_theme_toggle_switches_to_dark_mode), async page =>
        {
            await page.GotoAsync("/");
            var toggle = page.GetByTestId("theme-toggle");
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Toggle theme");
            var before = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

            // Clicks do nothing until the interactive circuit is up; the layout says when it is.
            await Assertions.Expect(page.Locator("[data-interactive=true]")).ToHaveCountAsync(1);
            await toggle.ClickAsync();

            var deadline = DateTime.UtcNow.AddSeconds(10);
            var after = before;
            while (after == before && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                after = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
            }

            Assert.NotEqual(before, after);
            await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-label", "Toggle theme");
        });
}
