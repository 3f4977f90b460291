using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

public sealed class CorpusTests
{
    private static List<string> Corpus()
    {
        var files = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Shared, "corpus", "dockerfiles-official")).Order(StringComparer.Ordinal).ToList();
        Assert.True(files.Count > 100);
        return files;
    }

    private static DockerfileDocument Load(string file) => DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(file)));

    [Fact]
    public void Without_a_build_context_no_official_dockerfile_is_rewritten()
    {
        // Moving or merging an instruction is only safe when the files it copies are known: with no context the
        // optimiser may advise but must hand every Dockerfile back byte for byte.
        foreach (var file in Corpus())
        {
            var document = Load(file);
            var result = Analyzer.Optimisation.Optimizer.Optimize(document, BuildContext.Unknown);
            Assert.Equal(document.Source.Text, result.RecommendedDockerfile);
            Assert.All(result.Changes, c => Assert.True(c.IsAdvice, $"{Path.GetFileName(file)}: {c.Kind} applied without a context"));
        }
    }

    [Fact]
    public void A_split_apt_get_update_in_any_official_dockerfile_is_merged_back_and_the_result_is_final()
    {
        // The official files already keep `apt-get update` in the install RUN, so none is rewritten as is. Splitting
        // it off gives a Dockerfile the optimiser must repair: exactly the files split (counted from their text)
        // come back with one merge each, the same instructions as the official file, and nothing more to rewrite.
        const string Joined = "RUN apt-get update && apt-get install";
        var split = 0;
        var merged = 0;
        foreach (var file in Corpus())
        {
            var official = Load(file);
            var text = official.Source.Text;
            var at = text.StartsWith(Joined, StringComparison.Ordinal) ? 0 : text.IndexOf("\n" + Joined, StringComparison.Ordinal) + 1;
            if (at <= 0)
            {
                continue;
            }
            split++;
            var name = Path.GetFileName(file);
            var variant = text[..at] + "RUN apt-get update\nRUN apt-get install" + text[(at + Joined.Length)..];
            var result = Analyzer.Optimisation.Optimizer.Optimize(DockerfileDocument.Parse(variant), BuildContext.Unknown);
            if (!result.Changes.Any(c => c.Kind == "merge-apt-update"))
            {
                continue;
            }
            merged++;
            var again = DockerfileDocument.Parse(result.RecommendedDockerfile);
            Assert.Equal(official.Instructions.Select(i => i.Keyword), again.Instructions.Select(i => i.Keyword));
            Assert.Equal(official.Stages.Count, again.Stages.Count);
            var twice = Analyzer.Optimisation.Optimizer.Optimize(again, BuildContext.Unknown);
            Assert.True(!twice.HasRewrites, $"{name}: the recommendation is rewritten again:\n{twice.Diff}");
        }
        Assert.True(split > 20, $"only {split} official files join apt-get update and install");
        Assert.Equal(split, merged);
    }
}
