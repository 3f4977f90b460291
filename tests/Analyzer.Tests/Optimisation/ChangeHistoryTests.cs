using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.TestInfrastructure.Git;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>The change-history parser: git's real output in both accepted shapes, its limits, and malformed lines named.</summary>
public sealed class ChangeHistoryTests
{
    private const string Medium =
        "commit 1bda5b6ede87818787438a73ad0bea3e9e15ff39 (HEAD -> main, origin/main)\n" +
        "Author: A <a@example.com>\nDate:   Tue Nov 14 22:13:20 2023 +0000\n\n    second\n\n    body line\n\n" +
        "src/a.js\npackage.json\n\n" +
        "commit 2bda5b6ede87818787438a73ad0bea3e9e15ff39\nMerge: 1bda5b6 3bda5b6\nAuthor: A <a@example.com>\nDate:   Tue Nov 14 22:13:20 2023 +0000\n\n    merge\n\n" +
        "commit 3bda5b6ede87818787438a73ad0bea3e9e15ff39\nAuthor: A <a@example.com>\nDate:   Tue Nov 14 22:13:20 2023 +0000\n\n    first\n\n" +
        "src/a.js\nsrc/b.js\n\"docs/caf\\303\\251 \\\"menu\\\".md\"\n";

    [Fact]
    public void The_medium_format_counts_each_path_once_per_commit_and_unquotes_paths()
    {
        var history = ChangeHistory.Parse(Medium);
        Assert.Equal(3, history.Commits);
        Assert.Equal(2, history.Counts["src/a.js"]);
        Assert.Equal(1, history.Counts["package.json"]);
        Assert.Equal(1, history.Counts["src/b.js"]);
        Assert.Equal(1, history.Counts["docs/café \"menu\".md"]);
    }

    [Fact]
    public void Real_git_output_in_both_shapes_parses_to_the_same_counts()
    {
        using var dir = new TempDir();
        Git(dir.Path, "init", "-q", ".");
        Fixtures.Write(dir, "src/a.js", "1");
        Fixtures.Write(dir, "docs/ü ber.md", "x");
        Git(dir.Path, "add", ".");
        Git(dir.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one");
        Fixtures.Write(dir, "src/a.js", "2");
        Git(dir.Path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", "two\n\nsrc/not-a-path.js in the message");

        var medium = ChangeHistory.Parse(Git(dir.Path, "log", "--name-only", "--relative", "--", "."));
        var nul = ChangeHistory.Parse(Git(dir.Path, "log", "--format=%x00%H", "--name-only", "--relative", "--", "."));

        Assert.Equal(2, medium.Commits);
        Assert.Equal(new Dictionary<string, int> { ["src/a.js"] = 2, ["docs/ü ber.md"] = 1 }, medium.Counts);
        Assert.Equal(medium.Counts, nul.Counts);
    }

    [Theory]
    [InlineData("src/a.js\n", "line 1: 'src/a.js' comes before any 'commit <hash>' line")]
    [InlineData("commit 1bda5b6ede87818787438a73ad0bea3e9e15ff39\nnot a header\n", "line 2: 'not a header' is neither a commit header")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nM\tsrc/a.js\n", "line 3: 'M\tsrc/a.js' holds a tab: this looks like --name-status")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\n/etc/passwd\n", "line 3: '/etc/passwd' is an absolute path")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nsrc/../../x\n", "line 3: 'src/../../x' is not a clean relative path")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\na.js\n    indented\n", "line 4: '    indented' is an indented line among a commit's paths")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\n\"unterminated\n", "line 3: '\"unterminated' opens a quoted path that is never closed")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\n\"a\\qb\"\n", "line 3: '\"a\\qb\"' has an unknown escape")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\n\"a\\000b\"\n", "quotes a NUL character")]
    [InlineData("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\na\u0007b\n", "line 3: 'a\u0007b' holds a control character")]
    [InlineData("commit 1bda5b6\n", "line 1: 'commit 1bda5b6' comes before any 'commit <hash>' line")]
    public void Malformed_input_is_refused_naming_the_line(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => ChangeHistory.Parse(text));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Size_lines_path_length_and_distinct_paths_are_bounded()
    {
        var ex = Assert.Throws<FormatException>(() => ChangeHistory.Parse(new string('\n', ChangeHistory.MaxBytes + 1)));
        Assert.Contains("larger than", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<FormatException>(() => ChangeHistory.Parse(new string('\n', ChangeHistory.MaxLines + 1)));
        Assert.Contains($"more than {ChangeHistory.MaxLines:N0} lines", ex.Message, StringComparison.Ordinal);

        const string head = "\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\n";
        ex = Assert.Throws<FormatException>(() => ChangeHistory.Parse(head + new string('a', ChangeHistory.MaxPathLength + 1) + "\n"));
        Assert.Contains("line 3: a path longer than 4096 characters", ex.Message, StringComparison.Ordinal);

        var many = head + string.Join('\n', Enumerable.Range(0, ChangeHistory.MaxPaths + 1).Select(i => "f" + i));
        ex = Assert.Throws<FormatException>(() => ChangeHistory.Parse(many));
        Assert.Contains($"line {ChangeHistory.MaxPaths + 3}: more than {ChangeHistory.MaxPaths:N0} distinct paths", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_newest_commits_count()
    {
        var text = string.Concat(Enumerable.Range(0, ChangeHistory.MaxCommits + 5).Select(i => $"\u0000{i:x40}\n\n{(i < ChangeHistory.MaxCommits ? "new.js" : "old.js")}\n"));
        var history = ChangeHistory.Parse(text);
        Assert.Equal(ChangeHistory.MaxCommits, history.Commits);
        Assert.Equal(ChangeHistory.MaxCommits, history.Counts["new.js"]);
        Assert.False(history.Counts.ContainsKey("old.js"));
    }

    [Fact]
    public void Not_utf8_is_refused_when_read_from_a_file()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("h"), [0, (byte)'1', 0xFF, 0xFE]);
        var ex = Assert.Throws<FormatException>(() => ChangeHistory.Read(dir.File("h"), "uploaded history"));
        Assert.Contains("not UTF-8", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_optimiser_weights_change_kinds_by_the_history_and_names_its_source()
    {
        using var dir = new TempDir();
        Fixtures.Write(dir, "src/a.js", "1");
        Fixtures.Write(dir, "docs/x.md", "1");
        const string dockerfile = "FROM scratch\nCOPY docs /docs\nCOPY src /src\n";
        var context = BuildContext.Load(dir.Path);
        var history = ChangeHistory.Parse("\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nsrc/a.js\n\u00002bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nsrc/a.js\ndocs/x.md\n", "uploaded history");

        var weighted = Optimizer.Optimize(DockerfileDocument.Parse(dockerfile), context, changes: history);
        var uniform = Optimizer.Optimize(DockerfileDocument.Parse(dockerfile), context);

        Assert.Equal("uploaded history", weighted.WeightSource);
        Assert.Equal("uniform", uniform.WeightSource);
        Assert.NotEqual(uniform.ExpectedOriginalSeconds, weighted.ExpectedOriginalSeconds);
    }

    private static string Git(string directory, params string[] args) => TestGit.Run(directory, args);
}
