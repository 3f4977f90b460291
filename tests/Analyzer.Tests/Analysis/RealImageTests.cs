using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.Analyzer.Waste;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Analysis;

/// <summary>A real buildah image, read in every format, against numbers worked out from the Dockerfile.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public class RealImageTests
{
    public static TheoryData<string> Formats => new() { "docker-archive", "oci", "oci-zstd", "oci-archive" };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Numbers_match_the_Dockerfile(string format)
    {
        var export = (await RealImages.GetAsync())[format];

        var a = await AnalyzeHelper.AnalyzeAsync(RealImages.Source(export));

        AssertFirstPrinciples(a);
    }

    [Fact]
    public async Task Every_format_gives_the_same_report_apart_from_source_fields()
    {
        var exports = await RealImages.GetAsync();
        var projections = new List<string>();
        foreach (var export in exports.Values)
        {
            projections.Add(Project(await AnalyzeHelper.AnalyzeAsync(RealImages.Source(export))));
        }

        Assert.All(projections, p => Assert.Equal(projections[0], p));
    }

    internal static void AssertFirstPrinciples(ImageAnalysis a)
    {
        Assert.Equal(WasteRecipe.LayerSizes, a.Layers.Select(l => l.SizeBytes));
        Assert.Equal(WasteRecipe.LayerSizes.Sum(), a.SizeBytes);
        Assert.Equal(WasteRecipe.FinalBytes, a.FinalBytes);
        Assert.Equal(a.SizeBytes - WasteRecipe.FinalBytes, a.WastedBytes);
        Assert.Equal(WasteRecipe.FileCount, a.FileCount);
        Assert.Equal(WasteRecipe.DuplicateBytes, a.DuplicateBytes);

        // rm -rf /opt/small: the directory and its 20,000 files, one waste item with the total.
        Assert.Equal(WasteRecipe.SmallFiles + 1, a.Layers[6].Removed);
        var small = Assert.Single(a.Waste, w => w.Kind == WasteKind.Deleted && w.CauseLayerIndex == 6);
        Assert.Equal(("opt/small", (long)WasteRecipe.SmallFiles * WasteRecipe.SmallFileBytes, 3, WasteRecipe.SmallFiles), (small.Path, small.Bytes, small.LayerIndex, small.Files));

        // chmod -R: a, b, c shipped again with identical content.
        var chmod = Assert.Single(a.Waste, w => w.Kind == WasteKind.MetadataOnly);
        Assert.Equal(("etc/app", 600L, 4, 5, 3), (chmod.Path, chmod.Bytes, chmod.LayerIndex, chmod.CauseLayerIndex, chmod.Files));

        // echo new > a: the 100-byte version from layer 5 is overwritten by layer 7.
        var overwritten = Assert.Single(a.Waste, w => w.Kind == WasteKind.Overwritten);
        Assert.Equal(("etc/app/a", 100L, 5, 7), (overwritten.Path, overwritten.Bytes, overwritten.LayerIndex, overwritten.CauseLayerIndex));

        // rm -rf /etc/app then recreate: b, c from layer 5 (500) and a from layer 7 (3) die in layer 8.
        Assert.Equal(500, a.Waste.Where(w => w.Kind == WasteKind.Deleted && w.CauseLayerIndex == 8 && w.LayerIndex == 5).Sum(w => w.Bytes));
        Assert.Equal(3, a.Waste.Where(w => w.Kind == WasteKind.Deleted && w.CauseLayerIndex == 8 && w.LayerIndex == 7).Sum(w => w.Bytes));
        Assert.Equal(3, a.Layers[8].Removed); // a, b, c

        var duplicate = Assert.Single(a.Waste, w => w.Kind == WasteKind.Duplicate);
        Assert.Equal(10, duplicate.Bytes);
        Assert.Equal(["srv/b", "srv/b.copy"], new[] { duplicate.Path, duplicate.OriginalPath! }.Order(StringComparer.Ordinal));

        // Every dead byte is accounted for by an item: deleted + overwritten + metadataOnly = wasted.
        Assert.Equal(a.WastedBytes, a.Waste.Where(w => w.Kind is WasteKind.Deleted or WasteKind.Overwritten or WasteKind.MetadataOnly).Sum(w => w.Bytes));

        Assert.Matches("COPY .* /opt/big.bin", a.Layers[2].CreatedBy); // buildah writes "COPY file:<sha> in /opt/big.bin"
        Assert.Contains("rm -rf /opt/small", a.Layers[6].CreatedBy);
        Assert.Equal("linux/amd64", a.Platform);

        var srv = a.Tree.ListDirectory(7, "srv");
        Assert.Equal(["b", "b.copy", "b.link", "b.sym", "empty"], srv.Select(e => e.Name));
        Assert.All(srv, e => Assert.Equal(LayerLens.Analyzer.FileTree.ChangeStatus.Added, e.Status));
        Assert.Equal("b", srv.Single(e => e.Name == "b.sym").LinkTarget);
    }

    /// <summary>Everything but the fields that depend on how the image was stored.</summary>
    internal static string Project(ImageAnalysis a) => string.Join("\n",
        new[] { $"{a.SizeBytes} {a.FinalBytes} {a.FileCount} {a.WastedBytes} {a.DuplicateBytes} {a.Platform}" }
            .Concat(a.Layers.Select(l => $"{l.Index} {l.SizeBytes} {l.Added} {l.Modified} {l.Removed} {l.CreatedBy}"))
            .Concat(a.Waste.Select(w => $"{w.Kind} {w.Path} {w.Bytes} {w.LayerIndex} {w.CauseLayerIndex} {w.Files}")));
}
