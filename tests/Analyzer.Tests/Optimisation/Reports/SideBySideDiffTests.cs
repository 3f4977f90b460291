using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Optimisation;
using LayerLens.Analyzer.Optimisation.Reports;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation.Reports;

/// <summary>The web's side-by-side view is the unified diff's edit script laid out in rows: one diff algorithm.</summary>
public sealed class SideBySideDiffTests
{
    private static (DiffRowKind, int?, string?, int?, string?)[] Rows(string a, string b) =>
        [.. SideBySideDiff.Build(a, b).Select(r => (r.Kind, r.LeftLine, r.Left, r.RightLine, r.Right))];

    [Fact]
    public void A_moved_copy_pairs_removed_and_added_lines_between_kept_ones()
    {
        // The rows the LCS view this replaced printed for the same pair.
        Assert.Equal(
        [
            (DiffRowKind.Same, 1, "FROM a", 1, "FROM a"),
            (DiffRowKind.Changed, 2, "COPY . .", 2, "COPY package.json ."),
            (DiffRowKind.Same, 3, "RUN npm ci", 3, "RUN npm ci"),
            (DiffRowKind.Added, null, null, 4, "COPY . ."),
            (DiffRowKind.Same, 4, "CMD x", 5, "CMD x"),
        ], Rows("FROM a\nCOPY . .\nRUN npm ci\nCMD x\n", "FROM a\nCOPY package.json .\nRUN npm ci\nCOPY . .\nCMD x\n"));
    }

    [Fact]
    public void Line_ends_do_not_count_and_equal_files_are_all_same_rows()
    {
        Assert.Equal(
        [
            (DiffRowKind.Same, 1, "FROM a", 1, "FROM a"),
            (DiffRowKind.Changed, 2, "RUN b", 2, "RUN c"),
        ], Rows("FROM a\r\nRUN b\r\n", "FROM a\nRUN c"));
        Assert.All(Rows("FROM a\nRUN b\n", "FROM a\nRUN b\n"), r => Assert.Equal(DiffRowKind.Same, r.Item1));
        // An empty file is one empty line, as the view has always shown it.
        Assert.Equal([(DiffRowKind.Changed, 1, "", 1, "FROM a")], Rows("", "FROM a\n"));
    }

    [Fact]
    public void Past_the_edit_bound_the_files_are_one_replaced_block()
    {
        var a = string.Concat(Enumerable.Range(0, UnifiedDiff.MaxEditDistance).Select(i => $"a{i}\n"));
        var b = string.Concat(Enumerable.Range(0, UnifiedDiff.MaxEditDistance + 2).Select(i => $"b{i}\n"));
        var rows = SideBySideDiff.Build(a, b);
        Assert.Equal(UnifiedDiff.MaxEditDistance + 2, rows.Count);
        Assert.Equal(UnifiedDiff.MaxEditDistance, rows.Count(r => r.Kind == DiffRowKind.Changed));
        Assert.Equal(2, rows.Count(r => r.Kind == DiffRowKind.Added));
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 200)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Rows_rebuild_both_files_and_keep_a_longest_common_subsequence(int seed)
    {
        var random = new Random(seed);
        var a = Enumerable.Range(0, random.Next(0, 16)).Select(_ => "l" + random.Next(0, 5)).ToList();
        var b = Enumerable.Range(0, random.Next(0, 16)).Select(_ => "l" + random.Next(0, 5)).ToList();
        var rows = SideBySideDiff.Build(string.Join('\n', a) + "\n", string.Join('\n', b) + "\n");
        if (a.Count == 0)
        {
            a = [""]; // "\n" is one empty line
        }
        if (b.Count == 0)
        {
            b = [""];
        }
        Assert.Equal(a, rows.Where(r => r.Left is not null).Select(r => r.Left));
        Assert.Equal(Enumerable.Range(1, a.Count).Cast<int?>(), rows.Where(r => r.Left is not null).Select(r => r.LeftLine));
        Assert.Equal(b, rows.Where(r => r.Right is not null).Select(r => r.Right));
        Assert.All(rows.Where(r => r.Kind == DiffRowKind.Same), r => Assert.Equal(r.Left, r.Right));
        Assert.Equal(LcsLength(a, b), rows.Count(r => r.Kind == DiffRowKind.Same));
    }

    [Fact]
    public void Every_corpus_recommendation_shows_the_lines_its_unified_diff_keeps_removes_and_adds()
    {
        var checkedPairs = 0;
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Shared, "corpus", "dockerfiles-official")).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal);
            var recommended = Optimizer.Optimize(DockerfileDocument.Parse(text), BuildContext.Unknown).RecommendedDockerfile;
            var unified = UnifiedDiff.Create(text, recommended, context: 1_000_000).Split('\n');
            var rows = SideBySideDiff.Build(text, recommended);
            // With unlimited context the unified diff lists every line: its '-'/'+' lines are the rows' removed/added sides.
            Assert.Equal(
                unified.Where(l => l.StartsWith('-') && !l.StartsWith("--- ", StringComparison.Ordinal)).Select(l => l[1..]),
                rows.Where(r => r.Kind is DiffRowKind.Removed or DiffRowKind.Changed).Select(r => r.Left));
            Assert.Equal(
                unified.Where(l => l.StartsWith('+') && !l.StartsWith("+++ ", StringComparison.Ordinal)).Select(l => l[1..]),
                rows.Where(r => r.Kind is DiffRowKind.Added or DiffRowKind.Changed).Select(r => r.Right));
            checkedPairs++;
        }
        Assert.True(checkedPairs >= 200, $"{checkedPairs} corpus files");
    }

    private static int LcsLength(List<string> a, List<string> b)
    {
        var lcs = new int[a.Count + 1, b.Count + 1];
        for (var i = a.Count - 1; i >= 0; i--)
        {
            for (var j = b.Count - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }
        return lcs[0, 0];
    }
}
