using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.FileTree;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Analyzer.Waste;

namespace LayerLens.Analyzer.Tests.Analysis;

/// <summary>The hand-computed scenario image, read from every source format and compression.</summary>
public class ScenarioAnalysisTests
{
    public static TheoryData<string, LayerCompression> Formats => new()
    {
        { "oci", LayerCompression.Gzip },
        { "oci", LayerCompression.Zstd },
        { "oci", LayerCompression.None },
        { "oci-archive", LayerCompression.Gzip },
        { "docker-archive-classic", LayerCompression.None },
        { "docker-archive-oci", LayerCompression.Gzip },
        { "bare-oci-dir", LayerCompression.Zstd },
        { "bare-docker-archive", LayerCompression.None },
        { "bare-oci-archive", LayerCompression.Gzip },
    };

    internal static string Write(TempDir temp, SyntheticImage image, string format)
    {
        switch (format)
        {
            case "oci":
                image.WriteOciLayout(temp.File("layout"));
                return "oci:" + temp.File("layout") + ":latest";
            case "bare-oci-dir":
                image.WriteOciLayout(temp.File("layout"));
                return temp.File("layout");
            case "oci-archive":
                image.WriteOciArchive(temp.File("image.tar"));
                return "oci-archive:" + temp.File("image.tar");
            case "bare-oci-archive":
                image.WriteOciArchive(temp.File("image.tar"));
                return temp.File("image.tar");
            case "docker-archive-classic":
                image.WriteDockerArchiveClassic(temp.File("image.tar"));
                return "docker-archive:" + temp.File("image.tar");
            case "bare-docker-archive":
                image.WriteDockerArchiveClassic(temp.File("image.tar"));
                return temp.File("image.tar");
            default:
                image.WriteDockerArchiveOci(temp.File("image.tar"));
                return "docker-archive:" + temp.File("image.tar");
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Every_source_format_gives_the_hand_computed_numbers(string format, LayerCompression compression)
    {
        using var temp = new TempDir();
        var image = ScenarioImage.Create(compression);
        var source = Write(temp, image, format);

        var result = await AnalyzeHelper.AnalyzeAsync(source);

        Assert.Equal("linux/amd64", result.Platform);
        Assert.Equal(ScenarioImage.SizeBytes, result.SizeBytes);
        Assert.Equal(ScenarioImage.FinalBytes, result.FinalBytes);
        Assert.Equal(ScenarioImage.WastedBytes, result.WastedBytes);
        Assert.Equal(ScenarioImage.FileCount, result.FileCount);
        Assert.Equal(ScenarioImage.DuplicateBytes, result.DuplicateBytes);
        Assert.Equal((double)ScenarioImage.FinalBytes / ScenarioImage.SizeBytes, result.Efficiency, 12);

        Assert.Equal([3220L, 1055L, 120L], result.Layers.Select(l => l.SizeBytes));
        Assert.Equal([19, 8, 3], result.Layers.Select(l => l.Added));
        Assert.Equal([0, 4, 2], result.Layers.Select(l => l.Modified));
        Assert.Equal([0, 7, 0], result.Layers.Select(l => l.Removed));
        Assert.Equal(["FROM base", "RUN change", "COPY . /"], result.Layers.Select(l => l.CreatedBy));
        Assert.Equal(image.LayerTars.Select(SyntheticImage.Sha256), result.Layers.Select(l => l.DiffId));
    }

    [Fact]
    public async Task Waste_items_name_the_shipping_and_the_causing_layer_and_are_sorted_by_bytes()
    {
        using var temp = new TempDir();
        var source = Write(temp, ScenarioImage.Create(), "oci");

        var result = await AnalyzeHelper.AnalyzeAsync(source);

        var expected = new[]
        {
            (WasteKind.Overwritten, "app/big.bin", 1000L, 0, 1, 1),
            (WasteKind.Deleted, "data", 900L, 0, 1, 3),
            (WasteKind.Deleted, "lib/orig", 600L, 0, 1, 1),
            (WasteKind.Junk, "var/cache/apt", 500L, 0, 0, 1),
            (WasteKind.Overwritten, "etc/config", 100L, 0, 2, 1),
            (WasteKind.Deleted, "old", 70L, 0, 1, 1),
            (WasteKind.Junk, "app/__pycache__", 60L, 1, 1, 1),
            (WasteKind.MetadataOnly, "app/script.sh", 50L, 0, 1, 1),
            (WasteKind.Duplicate, "copy/script-copy", 50L, 1, 1, 1),
            (WasteKind.Junk, "app/notes.tmp", 40L, 1, 1, 1),
            (WasteKind.Overwritten, "app/twice", 10L, 1, 1, 1),
        };
        Assert.Equal(expected, result.Waste.Select(w => (w.Kind, w.Path, w.Bytes, w.LayerIndex, w.CauseLayerIndex, w.Files)));
        Assert.Equal("app/script.sh", result.Waste.Single(w => w.Kind == WasteKind.Duplicate).OriginalPath);
    }

    [Fact]
    public async Task Layer_views_mark_each_entry_added_modified_removed_or_unchanged()
    {
        using var temp = new TempDir();
        var result = await AnalyzeHelper.AnalyzeAsync(Write(temp, ScenarioImage.Create(), "oci"));
        var tree = result.Tree;

        Assert.Equal(
            [("app", ChangeStatus.Modified), ("copy", ChangeStatus.Added), ("data", ChangeStatus.Removed), ("etc", ChangeStatus.Unchanged),
             ("lib", ChangeStatus.Unchanged), ("old", ChangeStatus.Modified), ("var", ChangeStatus.Unchanged)],
            tree.ListDirectory(1, "/").Select(e => (e.Name, e.Status)));
        Assert.Equal([("x", ChangeStatus.Removed), ("y", ChangeStatus.Added)], tree.ListDirectory(1, "old").Select(e => (e.Name, e.Status)));
        Assert.Equal([("a", ChangeStatus.Added), ("b", ChangeStatus.Added), ("sub", ChangeStatus.Added)], tree.ListDirectory(0, "data").Select(e => (e.Name, e.Status)));
        Assert.Empty(tree.ListDirectory(2, "data"));

        var app2 = tree.ListDirectory(2, "./app/");
        Assert.Equal(["__pycache__", "big.bin", "current", "notes.tmp", "script.sh", "twice", "zero"], app2.Select(e => e.Name));
        var big = app2.Single(e => e.Name == "big.bin");
        Assert.Equal((ChangeStatus.Unchanged, 800L, 1), (big.Status, big.Size, big.LayerIndex));
        Assert.Equal(ChangeStatus.Added, app2.Single(e => e.Name == "zero").Status);
        Assert.Equal("big.bin", app2.Single(e => e.Name == "current").LinkTarget);
        Assert.Equal(15, app2.Single(e => e.Name == "twice").Size);
        var lib1 = tree.ListDirectory(1, "lib");
        Assert.Equal([("link", ChangeStatus.Unchanged), ("orig", ChangeStatus.Removed)], lib1.Select(e => (e.Name, e.Status)));
        Assert.Equal(600, lib1.Single(e => e.Name == "orig").Size);
    }

    [Fact]
    public async Task Config_is_summarised()
    {
        using var temp = new TempDir();
        var image = new SyntheticImage(new LayerTarBuilder().File("a", "x").Build())
        {
            RuntimeConfig = System.Text.Json.Nodes.JsonNode.Parse("""
                {"Env":["PATH=/bin","A=1"],"Entrypoint":["/app"],"Cmd":["--serve"],"WorkingDir":"/srv","User":"app",
                 "ExposedPorts":{"8080/tcp":{},"53/udp":{}},"Labels":{"org.example":"yes"}}
                """)!.AsObject(),
        };
        var result = await AnalyzeHelper.AnalyzeAsync(Write(temp, image, "oci"));

        Assert.Equal(["PATH=/bin", "A=1"], result.Config.Env);
        Assert.Equal(["/app"], result.Config.Entrypoint!);
        Assert.Equal(["--serve"], result.Config.Cmd!);
        Assert.Equal("/srv", result.Config.WorkingDir);
        Assert.Equal("app", result.Config.User);
        Assert.Equal(["53/udp", "8080/tcp"], result.Config.ExposedPorts);
        Assert.Equal("yes", result.Config.Labels["org.example"]);
    }
}
