using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

public sealed class CorpusTests
{
    private static readonly HashSet<string> RemovingKinds = new(StringComparer.Ordinal) { "merge-apt-update", "merge-cleanup", "copy-chown", "copy-chmod" };

    [Fact]
    public void Every_official_dockerfile_is_optimised_and_any_recommendation_parses_and_keeps_every_instruction()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Shared, "corpus", "dockerfiles-official")).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 100);
        var rewritten = 0;
        foreach (var file in files)
        {
            var document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(file)));
            var result = Analyzer.Optimisation.Optimizer.Optimize(document, BuildContext.Unknown);
            if (!result.HasRewrites)
            {
                Assert.Equal(document.Source.Text, result.RecommendedDockerfile);
                continue;
            }
            rewritten++;
            var again = DockerfileDocument.Parse(result.RecommendedDockerfile);
            var before = document.Instructions.Select(i => i.Original).ToList();
            var after = again.Instructions.Select(i => i.Original).ToList();
            // Every original instruction is still there, unless a change explains its removal (a merge).
            var missing = before.Where(b => !after.Contains(b)).ToList();
            var removals = result.Changes.Count(c => RemovingKinds.Contains(c.Kind));
            Assert.True(missing.Count <= 2 * removals, $"{Path.GetFileName(file)}: instructions lost without explanation: {string.Join(" | ", missing)}");
            Assert.Equal(document.Stages.Count, again.Stages.Count);
        }
        Assert.True(rewritten >= 0);
    }
}
