using Bunit;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Layers;
using LayerLens.Web.Components.Analysis;

namespace LayerLens.Web.Tests.Components;

public sealed class LayerExplorerTests : MudComponentTest
{
    /// <summary>A two-layer tree that records every directory it is asked for.</summary>
    private sealed class FakeTree : ITreeSource
    {
        public List<(int Layer, string Path)> Calls { get; } = [];

        public int LayerCount => 2;

        public IReadOnlyList<TreeEntry> ListDirectory(int layer, string path)
        {
            Calls.Add((layer, path));
            return (layer, path) switch
            {
                (1, "") =>
                [
                    Dir("app", ChangeStatus.Modified, 965, containsWaste: true),
                    Dir("data", ChangeStatus.Removed, 900, waste: true),
                    Dir("etc", ChangeStatus.Unchanged, 100),
                ],
                (1, "app") =>
                [
                    File("app/big.bin", ChangeStatus.Modified, 800),
                    File("app/notes.tmp", ChangeStatus.Added, 40, waste: true),
                    File("app/script.sh", ChangeStatus.Modified, 50),
                ],
                (0, "") => [Dir("app", ChangeStatus.Added, 1050), Dir("data", ChangeStatus.Added, 900)],
                _ => [],
            };
        }

        private static TreeEntry Dir(string path, ChangeStatus status, long size, bool waste = false, bool containsWaste = false) =>
            new(path.Split('/')[^1], path, EntryKind.Directory, size, status, 0, false, null, waste, containsWaste);

        private static TreeEntry File(string path, ChangeStatus status, long size, bool waste = false) =>
            new(path.Split('/')[^1], path, EntryKind.File, size, status, 1, false, null, waste);
    }

    private IRenderedComponent<LayerExplorer> Render(FakeTree tree) =>
        Context.Render<LayerExplorer>(p => p.Add(c => c.Source, tree).Add(c => c.LayerCount, 2));

    private static string[] Names(IRenderedComponent<LayerExplorer> page) =>
        page.FindAll("[data-testid=explorer-entry]").Select(e => e.GetAttribute("data-name")!).ToArray();

    [Fact]
    public void Opens_at_the_last_layer_reading_only_the_root_then_one_directory_per_click()
    {
        var tree = new FakeTree();
        var page = Render(tree);

        Assert.Equal(["app", "data", "etc"], Names(page));
        Assert.Equal([(1, "")], tree.Calls);
        Assert.Equal("removed", page.Find("[data-name=data]").GetAttribute("data-state"));
        Assert.Contains("965 B", page.Find("[data-name=app]").TextContent);

        page.Find("[data-name=app]").Click();

        Assert.Equal(["big.bin", "notes.tmp", "script.sh"], Names(page));
        Assert.Equal([(1, ""), (1, "app")], tree.Calls);
        Assert.Contains("app", page.Find("[data-testid=explorer-breadcrumbs]").TextContent);
    }

    [Fact]
    public void A_removed_directory_does_not_open_and_the_keyboard_goes_back_up()
    {
        var tree = new FakeTree();
        var page = Render(tree);

        page.Find("[data-name=data]").Click();
        Assert.Equal([(1, "")], tree.Calls);

        page.Find("[data-name=app]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter" });
        Assert.Equal(["big.bin", "notes.tmp", "script.sh"], Names(page));
        page.Find("[data-name='big.bin']").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Backspace" });
        Assert.Equal(["app", "data", "etc"], Names(page));
    }

    [Fact]
    public void Only_waste_keeps_waste_and_directories_that_contain_it()
    {
        var page = Render(new FakeTree());

        var onlyWaste = page.FindComponent<MudBlazor.MudSwitch<bool>>();
        page.InvokeAsync(() => onlyWaste.Instance.ValueChanged.InvokeAsync(true));

        Assert.Equal(["app", "data"], Names(page));
        page.Find("[data-name=app]").Click();
        Assert.Equal(["notes.tmp"], Names(page));
    }

    [Fact]
    public void Search_filters_the_open_directory_and_a_path_opens_that_directory()
    {
        var tree = new FakeTree();
        var page = Render(tree);

        var search = page.FindComponent<MudBlazor.MudTextField<string>>();
        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("ET"));
        page.WaitForAssertion(() => Assert.Equal(["etc"], Names(page)));

        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("/app"));
        page.WaitForAssertion(() => Assert.Equal(["big.bin", "notes.tmp", "script.sh"], Names(page)));
        Assert.Contains((1, "app"), tree.Calls);

        page.InvokeAsync(() => search.Instance.ValueChanged.InvokeAsync("zzz"));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=explorer-empty]")));
        Assert.Contains("No entry matches", page.Find("[data-testid=explorer-empty]").TextContent);
    }

    [Fact]
    public async Task State_filters_and_layer_choice_reload_only_what_is_shown()
    {
        var tree = new FakeTree();
        var page = Render(tree);

        // Deselect "removed": the whited-out directory disappears.
        page.Find("[data-testid=state-removed]").Click();
        Assert.Equal(["app", "etc"], Names(page));

        await page.InvokeAsync(() => page.Instance.OpenAsync("", layer: 0));
        Assert.Contains((0, ""), tree.Calls);
        Assert.Equal(["app", "data"], Names(page)); // both added at layer 0
    }

    [Fact]
    public void Sort_by_size_puts_the_largest_first()
    {
        var page = Render(new FakeTree());
        page.Find("[data-name=app]").Click();

        var sort = page.FindComponent<MudBlazor.MudSelect<string>>();
        page.InvokeAsync(() => sort.Instance.ValueChanged.InvokeAsync("size"));

        page.WaitForAssertion(() => Assert.Equal(["big.bin", "script.sh", "notes.tmp"], Names(page)));
    }
}
