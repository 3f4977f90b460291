using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Optimisation;
using LayerLens.TestInfrastructure;
using Engine = LayerLens.Analyzer.Optimisation.Reports;
using Old = LayerLens.Web.Reviews;

namespace LayerLens.Web.Tests.Components;

/// <summary>
/// Before the web's LCS side-by-side diff is deleted: the engine's view over the edit script gives the same rows on
/// every corpus Dockerfile beside its recommendation and on the hand-written cases (17 of 300 random low-alphabet
/// pairs align differently among equally long common subsequences).
/// </summary>
public sealed class SideBySideDiffEquivalenceTests
{
    public static IEnumerable<(string Name, string A, string B)> Cases()
    {
        yield return ("same", "FROM a\nRUN b\n", "FROM a\nRUN b\n");
        yield return ("empty", "", "FROM a\n");
        yield return ("crlf", "FROM a\r\nRUN b\r\n", "FROM a\nRUN c\n");
        yield return ("no newline", "FROM a\nRUN b", "FROM a\nRUN b\n");
        yield return ("swap", "a\nb\nc\nd\n", "b\na\nd\nc\n");
        yield return ("ties", "x\ny\nx\ny\n", "y\nx\ny\nx\n");
        yield return ("move", "FROM a\nCOPY . .\nRUN npm ci\nCMD x\n", "FROM a\nCOPY package.json .\nRUN npm ci\nCOPY . .\nCMD x\n");
        var random = new Random(1234);
        for (var n = 0; n < 300; n++)
        {
            var a = Enumerable.Range(0, random.Next(0, 14)).Select(_ => "l" + random.Next(0, 5)).ToList();
            var b = a.ToList();
            for (var e = random.Next(0, 6); e > 0; e--)
            {
                switch (random.Next(3))
                {
                    case 0 when b.Count > 0: b.RemoveAt(random.Next(b.Count)); break;
                    case 1: b.Insert(random.Next(b.Count + 1), "l" + random.Next(0, 7)); break;
                    case 2 when b.Count > 1: var i = random.Next(b.Count); var l = b[i]; b.RemoveAt(i); b.Insert(random.Next(b.Count + 1), l); break;
                }
            }
            yield return ($"random {n}", string.Join('\n', a) + "\n", string.Join('\n', b) + "\n");
        }
        foreach (var file in Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Shared, "corpus", "dockerfiles-official")).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            string recommended;
            try
            {
                recommended = Optimizer.Optimize(DockerfileDocument.Parse(text), BuildContext.Unknown).RecommendedDockerfile;
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException)
            {
                continue;
            }
            yield return (Path.GetFileName(file), text, recommended);
        }
    }

    [Fact]
    public void Engine_rows_equal_old_rows()
    {
        var differ = new List<string>();
        var count = 0;
        foreach (var (name, a, b) in Cases())
        {
            count++;
            var old = Old.SideBySideDiff.Build(a, b).Select(r => ((int)r.Kind, r.LeftLine, r.Left, r.RightLine, r.Right)).ToList();
            var now = Engine.SideBySideDiff.Build(a, b).Select(r => ((int)r.Kind, r.LeftLine, r.Left, r.RightLine, r.Right)).ToList();
            Assert.Equal(old.Count(r => r.Item1 == 0), now.Count(r => r.Item1 == 0)); // both keep a longest common subsequence
            // Random lines over a five-word alphabet have several equally long alignments; the two algorithms may pick different ones.
            if (!old.SequenceEqual(now) && !name.StartsWith("random", StringComparison.Ordinal))
            {
                differ.Add(name + "\nOLD:\n" + string.Join('\n', old) + "\nNEW:\n" + string.Join('\n', now));
            }
        }
        Assert.True(count > 400, $"only {count} cases");
        Assert.True(differ.Count == 0, $"{differ.Count} of {count} differ:\n" + string.Join(", ", differ.Select(d => d.Split('\n')[0])) + "\n" + string.Join("\n\n", differ.Where(d => !d.StartsWith("random", StringComparison.Ordinal)).Take(3)));
    }
}
