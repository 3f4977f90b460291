using Xunit;
using LayerLens.TestInfrastructure.WebApp;
using Microsoft.Playwright;

namespace LayerLens.TestInfrastructure.Browser;

/// <summary>
/// The real web app plus Debian's Chromium driven by Playwright (no browser download).
/// Share it across a test class with <c>IClassFixture&lt;BrowserFixture&gt;</c>.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    // This machine has no internet: keep Chromium from phoning home, which it otherwise retries at every start.
    private static readonly string[] ChromiumArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run", "--disable-default-apps",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public WebAppProcess App { get; private set; } = null!;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The fixture is not started.");

    public async Task InitializeAsync()
    {
        App = await WebAppProcess.StartAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    /// <summary>
    /// Runs one browser scenario in a fresh page; on failure saves a screenshot and the app log
    /// under .test-artifacts/ and rethrows.
    /// </summary>
    /// <param name="signIn">Sign in as the bootstrap workspace's admin first.</param>
    public async Task RunAsync(string scenario, Func<IPage, Task> body, bool signIn = true)
    {
        await using var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString() });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        try
        {
            if (signIn)
            {
                await SignInAsync(page, WebAppProcess.AdminEmail, WebAppProcess.AdminPassword);
            }
            await body(page);
        }
        catch
        {
            var stem = Path.Combine(RepositoryPaths.Artifacts, $"browser-{scenario}");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = stem + ".png", FullPage = true });
            await File.WriteAllTextAsync(stem + ".app.log", App.Log);
            throw;
        }
    }

    /// <summary>Signs in through the sign-in form (a real form post with its antiforgery token).</summary>
    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/signin");
        // Fill the form only once the circuit has taken over the prerendered page (it re-renders the inputs).
        await page.Locator("[data-interactive=true]").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        await page.GetByTestId("email").FillAsync(email);
        await page.GetByTestId("password").FillAsync(password);
        await page.GetByTestId("signin").ClickAsync();
        // The first sign-in after start also warms the app up: allow it time.
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal),
            new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit, Timeout = 60_000 });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }
}
