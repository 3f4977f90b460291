using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

// usage: LayerLens.WebBench BASE_URL ANALYSIS_ID WEB_PID BIG_DIRECTORY [SECONDS]
// Times (1) opening the analysis page until the explorer's first tree level is shown and until it can be
// clicked, (2) clicking a
// directory until its entries are shown, then (3) samples the web process's RSS while three users browse.
if (args.Length < 4)
{
    Console.Error.WriteLine("usage: LayerLens.WebBench BASE_URL ANALYSIS_ID WEB_PID BIG_DIRECTORY [SECONDS]");
    return 2;
}
var (baseUrl, id, pid, bigDir) = (args[0], args[1], int.Parse(args[2], CultureInfo.InvariantCulture), args[3]);
var seconds = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 30;
var parent = bigDir.Contains('/', StringComparison.Ordinal) ? bigDir[..bigDir.LastIndexOf('/')] : "";
var leaf = bigDir[(bigDir.LastIndexOf('/') + 1)..];

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM") ?? "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});

long Rss()
{
    foreach (var line in File.ReadLines($"/proc/{pid}/status"))
    {
        if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
        {
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }
    return 0;
}

var interactive = new List<double>();

// One user: open the page, show the explorer's root, open the parent, then the big directory.
async Task<(double Shown, double Open, double Click)> BrowseAsync(IBrowserContext context, bool scroll)
{
    var page = await context.NewPageAsync();
    page.SetDefaultTimeout(60_000);
    var clock = Stopwatch.StartNew();
    // The server renders the page with the explorer's first level before the circuit connects, so the
    // level is on screen before the page is interactive; both moments are timed.
    await page.GotoAsync($"/analyses/{id}", new PageGotoOptions { WaitUntil = WaitUntilState.Commit });
    await page.Locator("[data-testid=explorer-entry]").First.WaitForAsync();
    var shown = clock.Elapsed.TotalMilliseconds;
    await page.Locator("[data-interactive=true]").WaitForAsync();
    await page.GetByTestId("summary-cards").WaitForAsync();
    lock (interactive)
    {
        interactive.Add(clock.Elapsed.TotalMilliseconds);
    }
    await page.GetByRole(AriaRole.Tab, new() { Name = "Explorer" }).ClickAsync();
    await page.Locator("[data-testid=explorer-entry]").First.WaitForAsync();
    var open = clock.Elapsed.TotalMilliseconds;
    var current = "";
    foreach (var part in parent.Split('/', StringSplitOptions.RemoveEmptyEntries))
    {
        current = current.Length == 0 ? part : current + "/" + part;
        await page.Locator($"[data-testid=explorer-entry][data-name='{part}']").ClickAsync();
        await page.Locator($"[aria-label='Contents of /{current}']").WaitForAsync();
    }
    var row = page.Locator($"[data-testid=explorer-entry][data-name='{leaf}']");
    await row.WaitForAsync();
    clock.Restart();
    await row.ClickAsync();
    await page.Locator($"[aria-label='Contents of /{bigDir}'] [data-testid=explorer-entry]").First.WaitForAsync();
    var click = clock.Elapsed.TotalMilliseconds;
    if (scroll)
    {
        for (var i = 0; i < 20; i++)
        {
            await page.Locator("[data-testid=explorer-list]").EvaluateAsync("el => el.scrollTop += 3000");
            await Task.Delay(50);
        }
    }
    await page.CloseAsync();
    return (shown, open, click);
}

// Each user signs in once (outside the timings); the cookie then rides along in its browser context.
async Task<IBrowserContext> NewContextAsync()
{
    var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseUrl });
    var page = await context.NewPageAsync();
    page.SetDefaultTimeout(60_000);
    await page.GotoAsync("/account/signin");
    await page.Locator("[data-interactive=true]").WaitForAsync();
    await page.GetByTestId("email").FillAsync(Environment.GetEnvironmentVariable("LAYERLENS_BENCH_EMAIL") ?? "");
    await page.GetByTestId("password").FillAsync(Environment.GetEnvironmentVariable("LAYERLENS_BENCH_PASSWORD") ?? "");
    await page.GetByTestId("signin").ClickAsync();
    await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal), new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
    await page.CloseAsync();
    return context;
}

// Warm-up (JIT, static assets), then the timed single-user runs.
await using (var warm = await NewContextAsync())
{
    await BrowseAsync(warm, scroll: false);
}
lock (interactive)
{
    interactive.Clear();
}
var shownAt = new List<double>();
var opens = new List<double>();
var clicks = new List<double>();
for (var run = 0; run < 5; run++)
{
    await using var context = await NewContextAsync();
    var (shown, open, click) = await BrowseAsync(context, scroll: false);
    shownAt.Add(shown);
    opens.Add(open);
    clicks.Add(click);
}
var ready = Median([.. interactive]);

// Three users browsing at once for a while; RSS sampled every 100 ms.
GC.Collect();
await Task.Delay(2000);
var baseline = Rss();
var peak = baseline;
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var sampler = Task.Run(async () =>
{
    while (!stop.IsCancellationRequested)
    {
        peak = Math.Max(peak, Rss());
        await Task.Delay(100);
    }
});
var users = Enumerable.Range(0, 3).Select(async _ =>
{
    await using var context = await NewContextAsync();
    var rounds = 0;
    while (!stop.IsCancellationRequested)
    {
        await BrowseAsync(context, scroll: true);
        rounds++;
    }
    return rounds;
}).ToList();
var rounds = (await Task.WhenAll(users)).Sum();
await sampler;

static double Median(List<double> xs)
{
    var s = xs.Order().ToList();
    return s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"open page -> first tree level shown: median {Median(shownAt):0} ms (runs: {string.Join(", ", shownAt.Select(o => o.ToString("0", CultureInfo.InvariantCulture)))}; target < 1000 ms)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"open page -> first tree level clickable (interactive): median {Median(opens):0} ms (runs: {string.Join(", ", opens.Select(o => o.ToString("0", CultureInfo.InvariantCulture)))})"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"   of which: page interactive with its summary {ready:0} ms, then Explorer tab to first row {Median(opens) - ready:0} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"click /{bigDir} -> entries shown: median {Median(clicks):0} ms (runs: {string.Join(", ", clicks.Select(o => o.ToString("0", CultureInfo.InvariantCulture)))}; target < 300 ms)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"web RSS with 3 users browsing {seconds} s ({rounds} rounds): baseline {baseline / 1048576.0:0} MiB, peak {peak / 1048576.0:0} MiB, extra {(peak - baseline) / 1048576.0:0} MiB (target < 200 MB)"));
return 0;
