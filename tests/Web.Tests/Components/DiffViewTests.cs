using LayerLens.Analyzer.Reports.Schema;
using Bunit;
using LayerLens.Web.Components.Review;
using LayerLens.Web.Reviews;

namespace LayerLens.Web.Tests.Components;

public sealed class DiffViewTests : MudComponentTest
{
    private const string Original = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n";

    // The manifests move up with the install; the full copy moves below it.
    private const string Recommended = "FROM node:22\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\nCMD [\"node\", \"index.js\"]\n";

    private static readonly ReviewChange[] Changes =
    [
        new("split-copy", 3, "copy the dependency manifests before `npm ci`, the rest after it", false, null),
        new("cache-mount", 4, "use a cache mount for /root/.npm", true, "RUN --mount=type=cache,target=/root/.npm npm ci"),
    ];

    private IRenderedComponent<DiffView> Render(string recommended, bool withheld = false) => Context.Render<DiffView>(p => p
        .Add(c => c.Original, Original)
        .Add(c => c.Recommended, recommended)
        .Add(c => c.Changes, Changes)
        .Add(c => c.Withheld, withheld));

    [Fact]
    public void Common_lines_sit_side_by_side_and_the_moved_lines_show_as_removed_and_added()
    {
        var view = Render(Recommended);
        var rows = view.FindAll("[data-testid=diff-row]");

        // Common subsequence: FROM, WORKDIR, RUN npm ci, CMD (4 lines); original has 5 lines, recommended 6.
        Assert.Equal(4, rows.Count(r => r.GetAttribute("data-kind") == "same"));
        var left = rows.Select(r => r.QuerySelector("[data-testid=diff-left]")!.TextContent).ToList();
        var right = rows.Select(r => r.QuerySelector("[data-testid=diff-right]")!.TextContent).ToList();
        Assert.Equal(Original.TrimEnd('\n').Split('\n'), left.Where(t => t.Length > 0).Select(t => t.Split("split-copy")[0]));
        Assert.Equal(Recommended.TrimEnd('\n').Split('\n'), right.Where(t => t.Length > 0));
        // Row order keeps both files in order: the manifests copy comes before `RUN npm ci`, `COPY . .` after it.
        var run = rows.ToList().FindIndex(r => r.GetAttribute("data-kind") == "same" && r.TextContent.Contains("RUN npm ci", StringComparison.Ordinal));
        Assert.Contains(rows.Take(run), r => r.QuerySelector("[data-testid=diff-right]")!.TextContent == "COPY package.json package-lock.json ./");
        Assert.Contains(rows.Skip(run + 1), r => r.QuerySelector("[data-testid=diff-right]")!.TextContent == "COPY . .");
    }

    [Fact]
    public void Each_rewrite_shows_its_reason_on_its_original_line_and_advice_is_listed()
    {
        var view = Render(Recommended);

        var reason = Assert.Single(view.FindAll("[data-testid=diff-reason]"));
        Assert.Contains("split-copy: copy the dependency manifests", reason.TextContent, StringComparison.Ordinal);
        Assert.StartsWith("COPY . .", reason.ParentElement!.TextContent, StringComparison.Ordinal);
        var changes = view.FindAll("[data-testid=change]");
        Assert.Equal(2, changes.Count);
        Assert.Contains("line 4 · cache-mount (advice)", changes[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("--mount=type=cache", changes[1].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Copy_puts_the_recommended_text_on_the_clipboard_and_download_carries_it()
    {
        var copy = Context.JSInterop.Setup<bool>("layerlensCopy", Recommended).SetResult(true);
        var view = Render(Recommended);

        view.Find("[data-testid=diff-copy]").Click();

        Assert.Single(copy.Invocations);
        Assert.Contains("Copied", view.Find("[data-testid=diff-copy]").TextContent, StringComparison.Ordinal);
        var download = view.Find("[data-testid=diff-download]");
        Assert.Equal("Dockerfile.recommended", download.GetAttribute("download"));
        Assert.Equal("data:text/plain;charset=utf-8," + Uri.EscapeDataString(Recommended), download.GetAttribute("href"));
    }

    [Fact]
    public void An_unchanged_Dockerfile_says_so_and_a_withheld_one_warns()
    {
        var same = Render(Original);
        Assert.NotNull(same.Find("[data-testid=diff-unchanged]"));
        Assert.All(same.FindAll("[data-testid=diff-row]"), r => Assert.Equal("same", r.GetAttribute("data-kind")));

        var withheld = Render(Original, withheld: true);
        Assert.Contains("withheld", withheld.Find("[data-testid=diff-withheld]").TextContent, StringComparison.Ordinal);
    }
}
