using System.Text;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.TestInfrastructure.Archives;

namespace LayerLens.Analyzer.Tests.BuildContexts.Archives;

/// <summary>
/// Link games in an uploaded build context. A secret file sits next to the extraction root; every archive
/// here tries to get its bytes into the context (through a chain of symbolic links that only escapes once
/// later entries exist, a hard link to such a link, links to links, writes "through" a link…). Each must be
/// refused, or unpacked so that no byte of the secret is in any regular file of the tree and every link
/// left there resolves inside it.
/// </summary>
public sealed class ContextLinkEscapeTests : IDisposable
{
    private const string Secret = "TOP-SECRET-database-bytes-5f1c";
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-escape-").FullName;

    public ContextLinkEscapeTests()
    {
        // Beside the extraction root ("out"), where "../secret" from the root would land.
        File.WriteAllText(Path.Combine(_dir, "secret"), Secret);
        File.WriteAllText(Path.Combine(_dir, "passwd"), Secret);
    }

    public static TheoryData<string, TestEntry[]> Attacks => new()
    {
        // The issue's archive: "a" looks inside when it is written; once e/f/g -> . exists it is "../secret".
        { "issue chain then hard link", [
            new TestEntry("a", SymlinkTo: "e/f/g/../../../secret"),
            new TestEntry("e/", Directory: true),
            new TestEntry("e/f/", Directory: true),
            new TestEntry("e/f/g", SymlinkTo: "."),
            new TestEntry("b", HardLinkTo: "a")] },
        { "chain without the hard link", [
            new TestEntry("e/", Directory: true),
            new TestEntry("e/f/", Directory: true),
            new TestEntry("a", SymlinkTo: "e/f/g/../../../secret"),
            new TestEntry("e/f/g", SymlinkTo: ".")] },
        { "absolute target", [new TestEntry("a", SymlinkTo: Path.Combine("/", "etc", "passwd")), new TestEntry("b", HardLinkTo: "a")] },
        { "link to a link that climbs", [
            new TestEntry("d/", Directory: true),
            new TestEntry("d/up", SymlinkTo: ".."),
            new TestEntry("x", SymlinkTo: "d/up/secret")] },
        { "links to links, the last one later", [
            new TestEntry("l1", SymlinkTo: "l2/secret"),
            new TestEntry("l2", SymlinkTo: "l3"),
            new TestEntry("l3", SymlinkTo: "..")] },
        { "hard link to a symbolic link", [new TestEntry("s", SymlinkTo: "../secret"), new TestEntry("h", HardLinkTo: "s")] },
        { "hard link to a symbolic link that looked inside", [
            new TestEntry("dir/", Directory: true),
            new TestEntry("s", SymlinkTo: "dir/../secret"),
            new TestEntry("h", HardLinkTo: "s")] },
        { "hard link to a directory", [new TestEntry("dir/", Directory: true), new TestEntry("h", HardLinkTo: "dir")] },
        { "hard link naming a path through a link", [
            new TestEntry("real/", Directory: true),
            new TestEntry("real/f", "inside"),
            new TestEntry("via", SymlinkTo: "real"),
            new TestEntry("h", HardLinkTo: "via/f")] },
        { "dot-dot in the hard link's target", [new TestEntry("f", "inside"), new TestEntry("h", HardLinkTo: "../secret")] },
        { "dot-dot in the hard link's name", [new TestEntry("f", "inside"), new TestEntry("../h", HardLinkTo: "f")] },
        { "dot-dot in the symbolic link's name", [new TestEntry("../s", SymlinkTo: "passwd")] },
        { "dot-dot in an entry name", [new TestEntry("x/../../secret", "overwritten")] },
        { "a file written through a link", [new TestEntry("up", SymlinkTo: "."), new TestEntry("up/../secret", "overwritten")] },
        { "a file written through a link to a directory", [
            new TestEntry("d/", Directory: true),
            new TestEntry("l", SymlinkTo: "d"),
            new TestEntry("l/x", "through")] },
        { "a directory entry over a link", [
            new TestEntry("g", SymlinkTo: "."),
            new TestEntry("g/", Directory: true),
            new TestEntry("g/h", SymlinkTo: "../secret")] },
        { "a link loop", [new TestEntry("p", SymlinkTo: "q"), new TestEntry("q", SymlinkTo: "p"), new TestEntry("r", SymlinkTo: "p/x")] },
    };

    [Theory]
    [MemberData(nameof(Attacks))]
    public void A_link_escape_is_refused_or_neutralised_in_tar(string attack, TestEntry[] entries) => Attempt("tar", attack, entries);

    [Theory]
    [MemberData(nameof(Attacks))]
    public void A_link_escape_is_refused_or_neutralised_in_tar_gz(string attack, TestEntry[] entries) => Attempt("tar.gz", attack, entries);

    [Theory]
    [MemberData(nameof(Attacks))]
    public void A_link_escape_is_refused_or_neutralised_in_zip(string attack, TestEntry[] entries)
    {
        // Zip has no hard links; its symbolic links are Unix-mode entries whose content is the target.
        if (entries.Any(e => e.HardLinkTo is not null))
        {
            entries = [.. entries.Where(e => e.HardLinkTo is null)];
        }
        Attempt("zip", attack, entries);
    }

    [Fact]
    public void The_issue_archive_is_refused_naming_the_link_that_escapes()
    {
        TestEntry[] Entries(string attack) => (TestEntry[])Attacks.First(a => (string)a[0] == attack)[1];
        var archive = Write("tar", Entries("issue chain then hard link"));
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(archive, new ContextLimits(), CancellationToken.None));
        Assert.Contains("build context entry 'b' is a hard link to the symbolic link 'a'", ex.Message, StringComparison.Ordinal);

        // Without the hard link, the chain itself: "a" looked inside when written, and leaves once e/f/g -> . exists.
        archive = Write("tar", Entries("chain without the hard link"));
        ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(archive, new ContextLimits(), CancellationToken.None));
        Assert.Contains("build context entry 'a' is a symbolic link to 'e/f/g/../../../secret', which leads outside the build context", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hard_link_is_a_copy_of_the_bytes_the_archive_wrote()
    {
        var archive = Write("tar",
            new TestEntry("dir/", Directory: true),
            new TestEntry("dir/a", "first"),
            new TestEntry("b", HardLinkTo: "dir/a"),
            new TestEntry("dir/a", "second"),
            new TestEntry("c", HardLinkTo: "./dir/a"));
        var root = Path.Combine(_dir, "out");
        ContextArchive.Extract(archive, root, new ContextLimits(), CancellationToken.None);
        Assert.Equal("first", File.ReadAllText(Path.Combine(root, "b")));
        Assert.Equal("second", File.ReadAllText(Path.Combine(root, "c")));
        Assert.Null(new FileInfo(Path.Combine(root, "c")).LinkTarget);
    }

    [Fact]
    public void Hard_links_count_their_copies_when_the_intake_only_validates()
    {
        // 600 bytes once, then ten hard links: 6,600 bytes once unpacked, past a 5,000-byte limit.
        var archive = Write("tar", [new TestEntry("a", new string('a', 600)), .. Enumerable.Range(0, 10).Select(i => new TestEntry($"h{i}", HardLinkTo: "a"))]);
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(archive, new ContextLimits { MaxExpandedBytes = 5000 }, CancellationToken.None));
        Assert.Contains("'h7' takes the unpacked build context past 5,000 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".dockerignore")]
    [InlineData("Dockerfile")]
    [InlineData("app.dockerignore")]
    public void A_symlinked_dockerignore_or_Dockerfile_is_refused_by_name(string name)
    {
        foreach (var format in new[] { "tar", "zip" })
        {
            var archive = Write(format, new TestEntry("real", "node_modules\n"), new TestEntry(name, SymlinkTo: "real"));
            var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(archive, new ContextLimits(), CancellationToken.None));
            Assert.Contains($"'{name}' is a symbolic link", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void An_archive_refused_only_at_the_final_link_check_leaves_no_unpacked_file_behind()
    {
        // Every entry is written before the final check (ContextSink.Finish) finds the chain leaving the root.
        var entries = (TestEntry[])Attacks.First(a => (string)a[0] == "chain without the hard link")[1];
        var archive = Write("tar", [new TestEntry("payload.bin", new string('x', 4096)), .. entries]);
        var root = Path.Combine(_dir, "out");
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Extract(archive, root, new ContextLimits(), CancellationToken.None));
        Assert.Contains("leads outside the build context", ex.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(root), "the refused context's files were left on disk");
    }

    private void Attempt(string format, string attack, TestEntry[] entries)
    {
        var archive = Write(format, entries);
        var root = Path.Combine(_dir, "out");
        try
        {
            ContextArchive.Extract(archive, root, new ContextLimits(), CancellationToken.None);
        }
        catch (ContextArchiveException)
        {
            // Refused: fine, as long as nothing outside was touched (checked below).
        }
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(_dir, "secret")));
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(_dir, "passwd")));
        // Nothing new beside the root: no entry landed outside it.
        Assert.Equal(["context." + format, "passwd", "secret"], Directory.EnumerateFileSystemEntries(_dir).Select(p => Path.GetFileName(p)).Where(n => n != "out").Order(StringComparer.Ordinal).ToArray());
        if (Directory.Exists(root))
        {
            AssertConfined(root, attack);
        }
    }

    /// <summary>No regular file holds the secret, and no link left in the tree reads it when the kernel follows it.</summary>
    private static void AssertConfined(string root, string attack)
    {
        var full = Path.GetFullPath(root) + Path.DirectorySeparatorChar;
        // SearchOption.AllDirectories enumerates with the compatible options, which pass over no attribute (dot files included).
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            if (entry.LinkTarget is not null)
            {
                // Let the kernel follow it, as any later reader (a builder, a COPY) would.
                string through;
                try
                {
                    through = File.ReadAllText(entry.FullName);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue; // dangling, a directory or a loop: reads nothing
                }
                Assert.False(through.Contains(Secret, StringComparison.Ordinal), $"{attack}: link {entry.FullName} -> {entry.LinkTarget} reads the file outside the context");
                continue;
            }
            if (entry is FileInfo file)
            {
                Assert.DoesNotContain(Secret, File.ReadAllText(file.FullName), StringComparison.Ordinal);
            }
        }
    }

    private string Write(string format, params TestEntry[] entries)
    {
        var path = Path.Combine(_dir, "context." + format);
        File.WriteAllBytes(path, TestArchive.Build(format, entries));
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
