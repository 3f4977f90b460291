using System.Formats.Tar;
using System.Text;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// What buildah cannot make: device nodes, xattrs and other PAX records, fractional mtimes, owner names,
/// ids past the ustar field, a hard link to a file of a lower layer. Layer tars written here by hand.
/// </summary>
public class SyntheticRebuildTests
{
    private static byte[] Tar(Action<TarWriter> write)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            write(w);
        }
        return ms.ToArray();
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, IEnumerable<KeyValuePair<string, string>>? pax = null, string? content = null)
    {
        var e = pax is null ? new PaxTarEntry(type, name) : new PaxTarEntry(type, name, pax);
        e.ModificationTime = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        e.Mode = type == TarEntryType.Directory ? (UnixFileMode)0x1ed : (UnixFileMode)0x1a4;
        if (content is not null)
        {
            e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        }
        return e;
    }

    /// <param name="xattr">The value of user.note on /data/xattr.bin: two images differing only there.</param>
    internal static SyntheticImage Image(string xattr = "hello")
    {
        var layer0 = Tar(w =>
        {
            w.WriteEntry(Entry(TarEntryType.Directory, "dev/"));
            var chr = Entry(TarEntryType.CharacterDevice, "dev/null");
            chr.DeviceMajor = 1;
            chr.DeviceMinor = 3;
            w.WriteEntry(chr);
            var blk = Entry(TarEntryType.BlockDevice, "dev/sda");
            blk.DeviceMajor = 8;
            blk.DeviceMinor = 0;
            w.WriteEntry(blk);
            w.WriteEntry(Entry(TarEntryType.Fifo, "dev/fifo"));
            w.WriteEntry(Entry(TarEntryType.Directory, "etc/"));
            w.WriteEntry(Entry(TarEntryType.RegularFile, "etc/base", content: "base content"));
            w.WriteEntry(Entry(TarEntryType.Directory, "old/"));
            w.WriteEntry(Entry(TarEntryType.RegularFile, "old/empty"));
        });
        var layer1 = Tar(w =>
        {
            w.WriteEntry(Entry(TarEntryType.Directory, "data/"));
            var x = Entry(TarEntryType.RegularFile, "data/xattr.bin", [new("SCHILY.xattr.user.note", xattr)], "with xattrs");
            x.ModificationTime = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
            x.Uid = 3_000_000;
            x.Gid = 42;
            x.UserName = "alice";
            x.GroupName = "staff";
            w.WriteEntry(x);
            w.WriteEntry(Entry(TarEntryType.RegularFile, "data/over", content: new string('a', 100)));
            var link = Entry(TarEntryType.HardLink, "data/base-link");
            link.LinkName = "etc/base";
            w.WriteEntry(link);
        });
        var layer2 = Tar(w =>
        {
            w.WriteEntry(Entry(TarEntryType.RegularFile, "data/over", content: "new"));
            w.WriteEntry(Entry(TarEntryType.RegularFile, ".wh.old"));
        });
        return new SyntheticImage(layer0, layer1, layer2);
    }

    [Fact]
    public async Task Devices_xattrs_times_owners_and_a_link_to_a_lower_layer_survive_and_the_lost_path_is_whited_out()
    {
        using var dir = new TempDir();
        Image().WriteDockerArchiveClassic(dir.File("in.tar"));

        var result = await RealImageRebuildTests.RebuildAsync($"docker-archive:{dir.File("in.tar")}", $"oci:{dir.File("out")}");

        Assert.Single(result.KeptLayers);
        Assert.Equal(0, result.DeadBytesAfter);
        using var rebuilt = await ImageOpener.OpenAsync($"oci:{dir.File("out")}", new ImageOpenOptions());
        var view = await FinalViewReader.ReadAsync(rebuilt, rebuilt.Layers.Count, AnalysisLimits.Default, CancellationToken.None);
        var x = view.Entries["data/xattr.bin"];
        Assert.Equal((3_000_000, 42, "alice", "staff"), (x.Uid, x.Gid, x.UserName, x.GroupName));
        Assert.StartsWith("1700000000.123", x.ModificationTime);
        Assert.Contains(new KeyValuePair<string, string>("SCHILY.xattr.user.note", "hello"), x.PaxRecords);
        Assert.Equal((FinalEntryType.BlockDevice, 8, 0), (view.Entries["dev/sda"].Type, view.Entries["dev/sda"].DeviceMajor, view.Entries["dev/sda"].DeviceMinor));
        Assert.Equal(view.HardLinkLeaders()["data/base-link"], "data/base-link".CompareTo("etc/base") < 0 ? "data/base-link" : "etc/base");
        Assert.False(view.Entries.ContainsKey("old"));
        // The kept layer is the source's uncompressed docker-archive tar, byte for byte.
        Assert.Equal(OciLayoutWriterTar, rebuilt.Layers[0].MediaType);
    }

    private const string OciLayoutWriterTar = "application/vnd.oci.image.layer.v1.tar";

    [Fact]
    [Trait(Needs.Trait, Needs.Root)]
    public async Task Umoci_unpacks_the_same_devices_owners_and_links_from_both_images()
    {
        using var dir = new TempDir();
        Image().WriteOciLayout(dir.File("in"));

        await RealImageRebuildTests.RebuildAsync($"oci:{dir.File("in")}:latest", $"oci:{dir.File("out")}:latest");

        var before = await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        Assert.Contains("device 8,0", before["dev/sda"]);
        Assert.Contains("linked to", before["etc/base"]);
        Assert.Equal(before, after);
    }

    [Fact]
    [Trait(Needs.Trait, Needs.Root)]
    public async Task Squashed_devices_fifos_and_xattrs_go_through_the_rewrite_and_unpack_the_same()
    {
        // Unsquashed, the devices and the fifo stay in the kept layer 0: only a squash makes the rebuild write them.
        using var dir = new TempDir();
        Image().WriteOciLayout(dir.File("in"));

        var result = await RealImageRebuildTests.RebuildAsync($"oci:{dir.File("in")}:latest", $"oci:{dir.File("out")}:latest", squash: true);

        Assert.Empty(result.KeptLayers);
        Assert.Equal(1, result.LayersAfter);
        using var rebuilt = await ImageOpener.OpenAsync($"oci:{dir.File("out")}", new ImageOpenOptions());
        var view = await FinalViewReader.ReadAsync(rebuilt, 0, AnalysisLimits.Default, CancellationToken.None);
        Assert.Equal((FinalEntryType.CharDevice, 1, 3), (view.Entries["dev/null"].Type, view.Entries["dev/null"].DeviceMajor, view.Entries["dev/null"].DeviceMinor));
        Assert.Equal((FinalEntryType.BlockDevice, 8, 0), (view.Entries["dev/sda"].Type, view.Entries["dev/sda"].DeviceMajor, view.Entries["dev/sda"].DeviceMinor));
        Assert.Equal(FinalEntryType.Fifo, view.Entries["dev/fifo"].Type);
        Assert.Contains(new KeyValuePair<string, string>("SCHILY.xattr.user.note", "hello"), view.Entries["data/xattr.bin"].PaxRecords);
        Assert.Equal("data/base-link", view.HardLinkLeaders()["etc/base"]);
        var before = await RootfsWalk.UnpackAndDescribeAsync(dir.File("in"), "latest", dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("out"), "latest", dir.File("b"));
        Assert.StartsWith("fifo", before["dev/fifo"]);
        Assert.Contains("device 1,3", before["dev/null"]);
        Assert.Equal(before, after);
    }

    [Fact]
    public async Task The_proof_sees_an_xattr_the_analysis_tree_does_not_keep()
    {
        using var dir = new TempDir();
        Image("hello").WriteOciLayout(dir.File("a"));
        Image("changed").WriteOciLayout(dir.File("b"));
        using var a = await ImageOpener.OpenAsync($"oci:{dir.File("a")}", new ImageOpenOptions());
        using var b = await ImageOpener.OpenAsync($"oci:{dir.File("b")}", new ImageOpenOptions());

        var differences = EquivalenceProof.Compare(
            await FinalViewReader.ReadAsync(a, 3, AnalysisLimits.Default, CancellationToken.None),
            await FinalViewReader.ReadAsync(b, 3, AnalysisLimits.Default, CancellationToken.None));

        var difference = Assert.Single(differences);
        Assert.StartsWith("/data/xattr.bin:", difference);
        Assert.Contains("SCHILY.xattr.user.note=changed", difference);
    }
}
