using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Tests.Optimisation;

public sealed class RewriteTests
{
    private static IEnumerable<string> Lines(string text) => text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#'));

    [Fact]
    public void A_broad_copy_before_npm_ci_is_split_into_manifests_install_and_the_rest()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        var result = Fixtures.Optimize(dir, Fixtures.NodeBad);

        Assert.Contains(result.Changes, c => c.Kind == "split-copy" && c.Line == 7);
        var lines = Lines(result.RecommendedDockerfile).ToList();
        var manifests = lines.FindIndex(l => l.StartsWith("COPY package-lock.json package.json", StringComparison.Ordinal));
        Assert.True(manifests >= 0, result.RecommendedDockerfile);
        Assert.True(lines.IndexOf("RUN npm ci") == manifests + 1);
        Assert.True(lines.IndexOf("COPY . .") == manifests + 2);
        // The comment that described the broad COPY travels with it.
        Assert.Contains("# the whole project at once\nCOPY . .", result.RecommendedDockerfile, StringComparison.Ordinal);
        Assert.True(result.ExpectedRecommendedSeconds < result.ExpectedOriginalSeconds);
        Assert.StartsWith("--- a/Dockerfile\n+++ b/Dockerfile\n@@ ", result.Diff, StringComparison.Ordinal);
        Assert.Contains("\n+RUN npm ci\n", result.Diff, StringComparison.Ordinal);
        Assert.Contains("\n-RUN npm ci\n", result.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public void A_well_ordered_dockerfile_gets_no_rewrite_and_comes_back_byte_identical()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        var text = "# syntax=docker/dockerfile:1\r\n" + Fixtures.NodeGood.Replace("\n", "\r\n", StringComparison.Ordinal) + "   # trailing comment\r\n";
        var result = Fixtures.Optimize(dir, text);

        Assert.DoesNotContain(result.Changes, c => !c.IsAdvice);
        Assert.Equal(text, result.RecommendedDockerfile);
        Assert.Equal("", result.Diff);
    }

    [Fact]
    public void Split_is_not_done_when_the_manifest_is_missing_from_the_context()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        File.Delete(dir.File("package.json"));
        File.Delete(dir.File("package-lock.json"));
        var result = Fixtures.Optimize(dir, Fixtures.NodeBad);
        Assert.DoesNotContain(result.Changes, c => c.Kind == "split-copy");
    }

    [Fact]
    public void Split_is_not_done_when_npm_would_run_project_scripts()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        Fixtures.Write(dir, "package.json", "{\"name\":\"app\",\"scripts\":{\"postinstall\":\"node build.js\"}}");
        var result = Fixtures.Optimize(dir, Fixtures.NodeBad);
        Assert.Equal(Fixtures.NodeBad, result.RecommendedDockerfile);
    }

    [Fact]
    public void A_source_copy_moves_below_an_expensive_run_that_does_not_read_it()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var result = Fixtures.Optimize(dir, Fixtures.PlainBad);

        var change = Assert.Single(result.Changes, c => !c.IsAdvice);
        Assert.Equal("move-copy", change.Kind);
        Assert.Equal(5, change.Line);
        var lines = Lines(result.RecommendedDockerfile).ToList();
        Assert.True(lines.FindIndex(l => l.StartsWith("RUN mkdir -p /opt/toolchain", StringComparison.Ordinal)) < lines.IndexOf("COPY site ./site"));
    }

    [Theory]
    [InlineData("RUN cat site/module001.html > /opt/first")]
    [InlineData("RUN ls site > /opt/listing")]
    [InlineData("RUN cp -r /srv/site /opt/site")]
    [InlineData("RUN ./build.sh")]
    [InlineData("RUN make all")]
    [InlineData("RUN echo $(cat site/module001.html) > /opt/x")]
    [InlineData("RUN for f in site/*; do cat $f; done > /opt/all")]
    [InlineData("RUN cat /srv/site/*.html > /opt/all")]
    public void A_copy_stays_before_a_run_that_reads_it_or_whose_effects_are_unknown(string run)
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var text = Fixtures.Base + "WORKDIR /srv\nCOPY site ./site\n" + run + "\n";
        var result = Fixtures.Optimize(dir, text);
        Assert.Equal(text, result.RecommendedDockerfile);
    }

    [Theory]
    [InlineData("ENV SITE=/elsewhere")]
    [InlineData("ARG SITE=/elsewhere")]
    [InlineData("WORKDIR /elsewhere")]
    public void A_copy_does_not_cross_state_it_depends_on(string state)
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var text = Fixtures.Base + "WORKDIR /srv\nCOPY site ${SITE:-./site}\n" + state + "\nRUN sleep 3\n";
        var result = Fixtures.Optimize(dir, text);
        Assert.Equal(text, result.RecommendedDockerfile);
    }

    [Fact]
    public void A_copy_without_chown_may_cross_user_since_copied_files_belong_to_root_anyway()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var text = Fixtures.Base + "WORKDIR /srv\nCOPY site ./site\nUSER nobody\nRUN sleep 3\n";
        var result = Fixtures.Optimize(dir, text);
        Assert.Equal(Fixtures.Base + "WORKDIR /srv\nUSER nobody\nRUN sleep 3\nCOPY site ./site\n", result.RecommendedDockerfile);
    }

    [Fact]
    public void Apt_update_is_merged_into_the_install_and_a_following_cleanup_into_the_same_run()
    {
        var text = "FROM debian:12\n# refresh indexes\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends curl \\\n    ca-certificates\nRUN rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n";
        var result = Optimizer(text);

        Assert.Contains(result.Changes, c => c.Kind == "merge-apt-update" && c.Line == 3);
        Assert.Contains(result.Changes, c => c.Kind == "merge-cleanup" && c.Line == 6);
        Assert.Equal(
            "FROM debian:12\n# refresh indexes\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl \\\n    ca-certificates \\\n    && rm -rf /var/lib/apt/lists/*\nCMD [\"curl\"]\n",
            result.RecommendedDockerfile);
        var reparsed = DockerfileDocument.Parse(result.RecommendedDockerfile);
        Assert.Equal(3, reparsed.Instructions.Count);
    }

    [Fact]
    public void A_chown_of_freshly_copied_files_becomes_copy_chown_and_chmod_of_one_file_becomes_copy_chmod()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        Fixtures.Write(dir, "entrypoint.sh", "#!/bin/sh\nexec \"$@\"\n");
        Fixtures.SetMode(dir.File("entrypoint.sh"), "644");
        var text = Fixtures.Base + "COPY site /srv/site\nRUN chown -R 1000:1000 /srv/site\nCOPY entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh\n";
        var result = Fixtures.Optimize(dir, text);

        Assert.Contains(result.Changes, c => c.Kind == "copy-chown" && c.Line == 5);
        Assert.Contains(result.Changes, c => c.Kind == "copy-chmod" && c.Line == 7);
        Assert.Equal(Fixtures.Base + "COPY --chown=1000:1000 site /srv/site\nCOPY --chmod=0755 entrypoint.sh /entrypoint.sh\n", result.RecommendedDockerfile);
    }

    [Fact]
    public void A_chown_of_a_directory_that_existed_before_the_copy_is_left_alone()
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        var text = Fixtures.Base + "WORKDIR /srv/site\nCOPY site /srv/site\nRUN chown -R 1000:1000 /srv/site\n";
        var result = Fixtures.Optimize(dir, text);
        Assert.Equal(text, result.RecommendedDockerfile);
    }

    [Fact]
    public void Advice_covers_cache_mounts_dockerignore_and_multi_stage()
    {
        using var dir = new TempDir();
        Fixtures.Node(dir);
        Fixtures.Write(dir, ".dockerignore", "");
        Fixtures.Write(dir, "node_modules/left-pad/index.js", "module.exports = 1;\n");
        var text = "FROM node:22\nRUN apt-get update && apt-get install -y build-essential\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
        var result = Fixtures.Optimize(dir, text);

        Assert.Contains(result.Changes, c => c is { Kind: "cache-mount", IsAdvice: true } && c.Example!.Contains("target=/root/.npm", StringComparison.Ordinal));
        Assert.Contains(result.Changes, c => c is { Kind: "dockerignore", IsAdvice: true, Example: "node_modules" });
        Assert.Contains(result.Changes, c => c is { Kind: "multi-stage", IsAdvice: true, Line: 2 });
    }

    private static Analyzer.Optimisation.OptimisationResult Optimizer(string text) =>
        Analyzer.Optimisation.Optimizer.Optimize(DockerfileDocument.Parse(text), Analyzer.BuildContexts.BuildContext.Unknown);
}
