using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Cli.Tests.Submit;

/// <summary>The real service in a process; <c>layerlens submit</c> as CI runs it.</summary>
public sealed class ServiceFixture : IAsyncLifetime
{
    public WebAppProcess App { get; private set; } = null!;

    public string Server => App.BaseAddress.ToString();

    public async Task InitializeAsync() => App = await WebAppProcess.StartAsync();

    public async Task DisposeAsync() => await App.DisposeAsync();
}

public sealed class SubmitCommandTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    private const string RulesOff = "rules:\n  lowestEfficiency: off\n  highestUserWastedPercent: off\n";

    private static string Archive()
    {
        var path = CliRunner.TempFile("scenario.tar", []);
        ScenarioImage.Create().WriteDockerArchiveClassic(path);
        return path;
    }

    private CliRunner.Result Submit(params string[] args) =>
        CliRunner.Run(["submit", .. args, "--server", service.Server, "--token", WebAppProcess.ApiKey]);

    [Fact]
    public void An_image_tarball_within_the_policy_exits_0_and_prints_the_json_report()
    {
        var config = CliRunner.TempFile("layerlens.yaml", RulesOff + $"thresholds:\n  maxWastedBytes: {ScenarioImage.WastedBytes}\n");
        var result = Submit("docker-archive:" + Archive(), "--project", "cli-pass", "--ci-config", config, "--format", "json", "--wait");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var report = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(ScenarioImage.SizeBytes, report.GetProperty("image").GetProperty("sizeBytes").GetInt64());
        Assert.True(report.GetProperty("verdict").GetProperty("passed").GetBoolean());
        Assert.Contains("verdict passed", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_image_tarball_past_the_policy_exits_1_and_names_the_failed_rule()
    {
        var config = CliRunner.TempFile("layerlens.yaml", RulesOff + "thresholds:\n  maxWastedBytes: 1\n");
        var result = Submit(Archive(), "--ci-config", config, "--format", "markdown", "--wait");

        Assert.True(result.ExitCode == 1, result.Stderr);
        Assert.Contains("maxWastedBytes", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("/analyses/", result.Stdout, StringComparison.Ordinal); // the PR comment links back
    }

    [Fact]
    public void A_dockerfile_with_its_context_is_reviewed_and_exits_by_the_worst_lint_severity()
    {
        var dockerfile = CliRunner.TempFile("Dockerfile", "FROM ubuntu\nCOPY app.txt /app.txt\n");
        var context = Path.Combine(Path.GetDirectoryName(dockerfile)!, "ctx");
        Directory.CreateDirectory(context);
        File.WriteAllText(Path.Combine(context, "app.txt"), "hello\n");

        // 'FROM ubuntu' without a tag is a warning: allowed up to warning passes, up to info fails.
        var lenient = CliRunner.TempFile("layerlens.yaml", RulesOff + "thresholds:\n  maxLintSeverity: warning\n");
        var pass = Submit(dockerfile, "--context", context, "--dockerfile-path", "deploy/Dockerfile", "--ci-config", lenient, "--format", "sarif", "--wait");
        Assert.True(pass.ExitCode == 0, pass.Stderr);
        var sarif = JsonDocument.Parse(pass.Stdout).RootElement;
        Assert.All(sarif.GetProperty("runs")[0].GetProperty("results").EnumerateArray(), r =>
            Assert.Equal("deploy/Dockerfile", r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()));

        var strict = CliRunner.TempFile("layerlens.yaml", RulesOff + "thresholds:\n  maxLintSeverity: info\n");
        var fail = Submit(dockerfile, "--context", context, "--ci-config", strict, "--format", "junit", "--wait");
        Assert.True(fail.ExitCode == 1, fail.Stderr);
    }

    [Fact]
    public void One_image_of_a_multi_image_archive_is_chosen_by_name_or_index_and_an_unknown_name_exits_2_listing_them()
    {
        var archive = CliRunner.TempFile("two.tar", []);
        var (other, scenario) = MultiImageDockerArchive.WriteOtherAndScenario(archive);
        var config = CliRunner.TempFile("layerlens.yaml", RulesOff);

        var byName = Submit($"docker-archive:{archive}:{MultiImageDockerArchive.ScenarioTag}", "--ci-config", config, "--format", "json", "--wait");
        Assert.True(byName.ExitCode == 0, byName.Stderr);
        var report = JsonDocument.Parse(byName.Stdout).RootElement;
        Assert.Equal(MultiImageDockerArchive.DiffIds(scenario), report.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("diffId").GetString()));
        Assert.Equal(ScenarioImage.SizeBytes, report.GetProperty("image").GetProperty("sizeBytes").GetInt64());

        var byIndex = Submit($"docker-archive:{archive}:@0", "--ci-config", config, "--format", "json", "--wait");
        Assert.True(byIndex.ExitCode == 0, byIndex.Stderr);
        Assert.Equal(MultiImageDockerArchive.DiffIds(other), JsonDocument.Parse(byIndex.Stdout).RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("diffId").GetString()));

        // Refused by the service before anything is queued, with or without --wait.
        var unknown = Submit($"docker-archive:{archive}:example/missing:1");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("no image tagged 'example/missing:1'", unknown.Stderr, StringComparison.Ordinal);
        Assert.Contains($"@0: {MultiImageDockerArchive.OtherTag}; @1: {MultiImageDockerArchive.ScenarioTag}", unknown.Stderr, StringComparison.Ordinal);
        Assert.Empty(unknown.Stdout);
    }

    [Fact]
    public void A_docker_25_archive_is_read_as_the_prefix_says_as_analyze_reads_it()
    {
        // manifest.json tags the image "example/app:1.0", index.json annotates it "v1": the prefix picks which name counts.
        var archive = CliRunner.TempFile("both.tar", []);
        var image = ScenarioImage.Create();
        image.WriteDockerArchiveOci(archive, repoTag: "example/app:1.0", refName: "v1");
        var config = CliRunner.TempFile("layerlens.yaml", RulesOff);

        foreach (var source in new[] { $"oci-archive:{archive}:v1", $"docker-archive:{archive}:example/app:1.0" })
        {
            var analysed = Submit(source, "--ci-config", config, "--format", "json", "--wait");
            Assert.True(analysed.ExitCode == 0, source + ": " + analysed.Stderr);
            Assert.Equal(MultiImageDockerArchive.DiffIds(image), JsonDocument.Parse(analysed.Stdout).RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("diffId").GetString()));
        }

        var refused = Submit($"oci-archive:{archive}:example/app:1.0");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("no image tagged 'example/app:1.0'; tags present: v1", refused.Stderr, StringComparison.Ordinal);
        Assert.Empty(refused.Stdout);
    }

    [Fact]
    public void A_wrong_key_or_a_missing_file_exits_2_and_an_unreachable_service_exits_3()
    {
        var wrongKey = CliRunner.Run("submit", Archive(), "--server", service.Server, "--token", "llk_wrong_key_000000000000000000000000", "--wait");
        Assert.Equal(2, wrongKey.ExitCode);
        Assert.Contains("401", wrongKey.Stderr, StringComparison.Ordinal);

        var missing = Submit("/nonexistent/image.tar", "--wait");
        Assert.Equal(2, missing.ExitCode);

        var unreachable = CliRunner.Run("submit", Archive(), "--server", $"http://127.0.0.1:{FreePort.Next()}", "--token", WebAppProcess.ApiKey, "--wait");
        Assert.Equal(3, unreachable.ExitCode);
    }
}
