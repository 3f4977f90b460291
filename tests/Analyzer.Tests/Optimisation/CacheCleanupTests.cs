using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Tests.Optimisation;

/// <summary>Rewrite 3's general half: cleanup of caches and temporary files joins the RUN that created them, only when provably safe.</summary>
public sealed class CacheCleanupTests
{
    private static Analyzer.Optimisation.OptimisationResult Optimize(string steps)
    {
        using var dir = new TempDir();
        Fixtures.Plain(dir);
        return Fixtures.Optimize(dir, Fixtures.Base + steps);
    }

    [Fact]
    public void A_later_temp_cleanup_joins_the_run_that_created_the_files_past_unrelated_steps()
    {
        // Lines 4..8: the creator, two steps that never look at /tmp, a comment and the cleanup.
        var result = Optimize(
            "RUN mkdir -p /tmp/build && echo data > /tmp/build/blob && echo ok > /srv/app\n" +
            "ENV MODE=prod\n" +
            "RUN echo configured > /srv/mode\n" +
            "# drop the build scratch\n" +
            "RUN rm -rf /tmp/build /root/.cache\n");

        Assert.Equal(Fixtures.Base +
            "# drop the build scratch\n" +
            "RUN mkdir -p /tmp/build && echo data > /tmp/build/blob && echo ok > /srv/app && \\\n" +
            "    rm -rf /tmp/build /root/.cache\n" +
            "ENV MODE=prod\n" +
            "RUN echo configured > /srv/mode\n", result.RecommendedDockerfile);
        var change = Assert.Single(result.Changes, c => !c.IsAdvice);
        Assert.Equal("merge-cleanup", change.Kind);
        Assert.Equal(8, change.Line);
        // COPY busybox and the busybox RUN are this stage's layers 1 and 2.
        Assert.Contains("shipped in layer 3 of this stage (line 4)", change.Message, StringComparison.Ordinal);
        Assert.Contains("the bytes stay in the image", change.Message, StringComparison.Ordinal);
        Assert.Contains("\n-RUN rm -rf /tmp/build /root/.cache\n", result.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public void The_merge_follows_a_leading_ampersand_style_and_its_indent()
    {
        var result = Optimize("RUN mkdir -p /var/tmp/w \\\n  && echo x > /var/tmp/w/f\nRUN rm -rf /var/tmp/w/*\n");
        Assert.Equal(Fixtures.Base + "RUN mkdir -p /var/tmp/w \\\n  && echo x > /var/tmp/w/f \\\n  && rm -rf /var/tmp/w/*\n", result.RecommendedDockerfile);
    }

    [Fact]
    public void A_package_manager_cache_clean_joins_the_run_that_filled_the_cache()
    {
        var result = Optimize("RUN mkdir -p /root/.npm/_cacache && echo x > /root/.npm/_cacache/blob\nRUN npm cache clean --force\n");
        Assert.Equal(Fixtures.Base + "RUN mkdir -p /root/.npm/_cacache && echo x > /root/.npm/_cacache/blob && \\\n    npm cache clean --force\n", result.RecommendedDockerfile);
    }

    [Theory]
    // Relative paths resolve in the same directory before and after the merge.
    [InlineData("WORKDIR /tmp\nRUN mkdir -p cache && echo x > cache/blob\nRUN rm -rf cache\n")]
    // An absolute path does not depend on the WORKDIR in between.
    [InlineData("WORKDIR /tmp\nRUN mkdir -p cache && echo x > cache/blob\nWORKDIR /srv\nRUN rm -rf /tmp/cache\n")]
    [InlineData("RUN mkdir -p /root/.cache/pip && echo x > /root/.cache/pip/wheel\nLABEL stage=final\nRUN pip cache purge\n")]
    public void Cleanup_merges_when_nothing_in_between_depends_on_it(string steps)
    {
        var result = Optimize(steps);
        Assert.Single(result.Changes, c => c.Kind == "merge-cleanup");
        var cleanup = steps.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]["RUN ".Length..];
        var original = DockerfileDocument.Parse(Fixtures.Base + steps).Stages[0].Instructions;
        var recommended = DockerfileDocument.Parse(result.RecommendedDockerfile).Stages[0].Instructions;
        Assert.Equal(original.Count - 1, recommended.Count);
        // The cleanup now ends the RUN that created the files, once.
        var creator = Assert.Single(recommended, i => i.ArgumentText.Contains("mkdir", StringComparison.Ordinal));
        Assert.EndsWith(" && " + cleanup, LayerLens.Analyzer.Dockerfiles.Model.InstructionText.OneLine(creator.ArgumentText), StringComparison.Ordinal);
        Assert.Single(recommended, i => i.ArgumentText.Contains(cleanup, StringComparison.Ordinal));
    }

    [Theory]
    // An instruction in between reads the cache.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nRUN cat /tmp/build/blob > /srv/copy\nRUN rm -rf /tmp/build\n")]
    // ... or writes it.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nCOPY site /tmp/build/site\nRUN rm -rf /tmp/build\n")]
    // A WORKDIR change moves a relative rm path.
    [InlineData("WORKDIR /tmp\nRUN mkdir -p cache && echo x > cache/blob\nWORKDIR /srv\nRUN rm -rf ../tmp/cache\n")]
    // A relative path after a cd in the creator would resolve elsewhere.
    [InlineData("WORKDIR /tmp\nRUN mkdir -p /tmp/x/cache && cd /tmp/x && echo x > cache/blob\nRUN rm -rf cache\n")]
    // Exec form is left alone.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nRUN [\"rm\", \"-rf\", \"/tmp/build\"]\n")]
    // Heredocs are left alone, as cleanup and as creator.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nRUN <<EOF\nrm -rf /tmp/build\nEOF\n")]
    [InlineData("RUN <<EOF\nmkdir -p /tmp/build\necho data > /tmp/build/blob\nEOF\nRUN rm -rf /tmp/build\n")]
    // A USER change in between: the cleanup would run as another user.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nUSER nobody\nRUN rm -rf /tmp/build\n")]
    // A variable a package manager reads changes between them.
    [InlineData("RUN mkdir -p /root/.npm/_cacache && echo x > /root/.npm/_cacache/blob\nENV npm_config_cache=/srv/npm\nRUN npm cache clean --force\n")]
    // The cleanup does something else too, or could mask a failure once appended.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nRUN rm -rf /tmp/build && echo done > /srv/state\n")]
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob\nRUN rm -rf /tmp/build; rm -rf /var/tmp/x\n")]
    // Not a cache: deleting application files is not this rewrite's business.
    [InlineData("RUN mkdir -p /srv/build && echo data > /srv/build/blob\nRUN rm -rf /srv/build\n")]
    // The creator ends in a shell comment that would swallow the appended command.
    [InlineData("RUN mkdir -p /tmp/build && echo data > /tmp/build/blob # scratch\nRUN rm -rf /tmp/build\n")]
    // An earlier cleanup of the same place deleted, it did not create.
    [InlineData("RUN rm -rf /tmp/build\nRUN rm -rf /tmp/build/*\n")]
    // Files from the base image: nothing in this stage created them.
    [InlineData("RUN rm -rf /var/cache/apk/*\n")]
    public void Cleanup_stays_where_it_is_when_the_model_cannot_prove_the_merge_safe(string steps)
    {
        var result = Optimize(steps);
        Assert.DoesNotContain(result.Changes, c => c.Kind == "merge-cleanup");
        Assert.Equal(Fixtures.Base + steps, result.RecommendedDockerfile);
    }

    [Fact]
    public void Files_from_a_copy_are_not_merged_but_get_advice()
    {
        var steps = "COPY site /tmp/site\nRUN rm -rf /tmp/site\n";
        var result = Optimize(steps);
        Assert.Equal(Fixtures.Base + steps, result.RecommendedDockerfile);
        var advice = Assert.Single(result.Changes, c => c.Kind == "cleanup-copy");
        Assert.True(advice.IsAdvice);
        Assert.Equal(5, advice.Line);
        Assert.Contains("COPY at line 4", advice.Message, StringComparison.Ordinal);
        // The example names context files (what .dockerignore matches), not image paths.
        Assert.StartsWith("# .dockerignore\nsite/module", advice.Example, StringComparison.Ordinal);
    }
}
