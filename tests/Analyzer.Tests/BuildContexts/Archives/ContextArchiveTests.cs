using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.TestInfrastructure.Archives;

namespace LayerLens.Analyzer.Tests.BuildContexts.Archives;

public sealed class ContextArchiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-context-").FullName;

    private string Archive(string format, params TestEntry[] entries)
    {
        var path = Path.Combine(_dir, "context." + format);
        File.WriteAllBytes(path, TestArchive.Build(format, entries));
        return path;
    }

    public static TheoryData<string> Formats => ["tar", "tar.gz", "zip"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Files_directories_links_and_execute_bits_are_unpacked_inside_the_target(string format)
    {
        var archive = Archive(format,
            new TestEntry("src/", Directory: true),
            new TestEntry("./src/app.js", "console.log(1)\n"),
            new TestEntry("run.sh", "#!/bin/sh\n", Executable: true),
            new TestEntry("current", SymlinkTo: "src"));
        var target = Path.Combine(_dir, "out");

        var summary = ContextArchive.Extract(archive, target, new ContextLimits(), CancellationToken.None);

        Assert.Equal(4, summary.Entries);
        Assert.Equal("console.log(1)\n".Length + "#!/bin/sh\n".Length, summary.ExpandedBytes);
        Assert.Equal("console.log(1)\n", File.ReadAllText(Path.Combine(target, "src", "app.js")));
        Assert.True(OperatingSystem.IsWindows() || File.GetUnixFileMode(Path.Combine(target, "run.sh")).HasFlag(UnixFileMode.UserExecute));
        Assert.Equal("src", new FileInfo(Path.Combine(target, "current")).LinkTarget);
    }

    [Theory]
    [InlineData("../evil.txt", "'../evil.txt' escapes the build context")]
    [InlineData("a/../../evil.txt", "'a/../../evil.txt' escapes the build context")]
    [InlineData("/etc/passwd", "'/etc/passwd' has an absolute path")]
    public void A_path_that_leaves_the_context_is_refused_by_name(string name, string message)
    {
        foreach (var format in new[] { "tar", "zip" })
        {
            var archive = Archive(format, new TestEntry("ok.txt", "ok"), new TestEntry(name, "owned"));
            var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Extract(archive, Path.Combine(_dir, "out-" + format), new ContextLimits(), CancellationToken.None));
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        }
        Assert.False(File.Exists(Path.Combine(_dir, "evil.txt")));
    }

    [Theory]
    [InlineData("up", "../..", "'up' is a symbolic link to '../..'")]
    [InlineData("etc", "/etc", "'etc' is a symbolic link to '/etc'")]
    public void A_symbolic_link_that_points_outside_is_refused(string name, string to, string message)
    {
        var archive = Archive("tar", new TestEntry(name, SymlinkTo: to));
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(archive, new ContextLimits(), CancellationToken.None));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_through_a_link_the_archive_made_is_refused_even_when_the_link_looks_inside()
    {
        // "sub/l" points to the root; "sub/l/x" would then be "x" — harmless here, but "sub/l/l2 -> .." is not.
        var archive = Archive("tar",
            new TestEntry("sub/", Directory: true),
            new TestEntry("sub/l", SymlinkTo: ".."),
            new TestEntry("sub/l/l2", SymlinkTo: ".."));
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Extract(archive, Path.Combine(_dir, "out"), new ContextLimits(), CancellationToken.None));
        Assert.Contains("'sub/l/l2' would be written through the symbolic link 'sub/l'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compression_bomb_is_refused_naming_the_entry()
    {
        // 64 MiB of zeros gzip to well under 1 MiB: a ratio far past 200.
        var archive = Archive("tar.gz", new TestEntry("zeros.bin", Bytes: new byte[64 * 1024 * 1024]));
        Assert.True(new FileInfo(archive).Length * 200 < 64L * 1024 * 1024);
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(archive, new ContextLimits(), CancellationToken.None));
        Assert.Contains("'zeros.bin'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("compression bomb", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_entries_and_too_many_bytes_are_refused()
    {
        var many = Archive("tar", [.. Enumerable.Range(0, 11).Select(i => new TestEntry($"f{i}", "x"))]);
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(many, new ContextLimits { MaxEntries = 10 }, CancellationToken.None));
        Assert.Contains("more than 10 entries", ex.Message, StringComparison.Ordinal);

        var big = Archive("tar", new TestEntry("a", new string('a', 600)), new TestEntry("b", new string('b', 600)));
        ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(big, new ContextLimits { MaxExpandedBytes = 1000 }, CancellationToken.None));
        Assert.Contains("'b' takes the unpacked build context past 1,000 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_no_archive_is_refused()
    {
        var path = Path.Combine(_dir, "notes.txt");
        File.WriteAllText(path, "just some notes " + new string('-', 1000));
        var ex = Assert.Throws<ContextArchiveException>(() => ContextArchive.Validate(path, new ContextLimits(), CancellationToken.None));
        Assert.Contains("not a tar, tar.gz or zip", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Version_control_metadata_is_left_out_and_counted(string format)
    {
        var archive = Archive(format,
            new TestEntry(".git/", Directory: true),
            new TestEntry(".git/config", "[core]\n\tfsmonitor = ./x\n"),
            new TestEntry("sub/.git", "gitdir: ../.git\n"),
            new TestEntry(".hg/hgrc", "[hooks]\n"),
            new TestEntry("vendor/lib/.svn/entries", "x"),
            new TestEntry("src/app.js", "1"));
        var target = Path.Combine(_dir, "out");

        var summary = ContextArchive.Extract(archive, target, new ContextLimits(), CancellationToken.None);

        Assert.Equal(5, summary.SkippedMetadata);
        Assert.True(File.Exists(Path.Combine(target, "src", "app.js")));
        Assert.False(Path.Exists(Path.Combine(target, ".git")));
        Assert.False(Path.Exists(Path.Combine(target, "sub", ".git")));
        Assert.False(Path.Exists(Path.Combine(target, ".hg")));
        Assert.False(Path.Exists(Path.Combine(target, "vendor", "lib", ".svn")));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
