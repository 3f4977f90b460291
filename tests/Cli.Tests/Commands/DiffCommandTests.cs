using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Cli.Tests.Commands;

/// <summary><c>layerlens diff</c> end to end as CI runs it: images, Dockerfiles and saved reports, the policy, the exit codes.</summary>
public sealed class DiffCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));

    public DiffCommandTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "layerlens.yaml"), BaselineScenarioImages.Policy);
    }

    private Task<LayerLensProcess.Result> RunAsync(params string[] args) => LayerLensProcess.RunAsync(_dir, null, args);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Image(string name, SyntheticImage image)
    {
        var path = Path.Combine(_dir, name);
        image.WriteOciLayout(path);
        return "oci:" + path;
    }

    [Fact]
    public async Task The_pull_request_image_against_main_exits_1_with_the_delta_table_and_main_against_main_exits_0()
    {
        var main2 = Image("main-2", BaselineScenarioImages.MainBuild(2));
        var main3 = Image("main-3", BaselineScenarioImages.MainBuild(3));
        var pr = Image("pr", BaselineScenarioImages.PullRequest());

        var failed = await RunAsync("diff", main3, pr, "--compare-url", "https://layerlens.example.com/analyses/2/compare?baseline=1");
        var passed = await RunAsync("diff", main2, main3, "--format", "json");

        Assert.True(failed.ExitCode == 1, failed.Stderr);
        Assert.Contains("| metric | baseline | current | change |", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("↑ +20.0 MB", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("`tmp/dead.bin`", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("- ❌ **maxSizeIncreaseBytes**", failed.Stdout, StringComparison.Ordinal);
        Assert.Contains("[Compare with the baseline](https://layerlens.example.com/analyses/2/compare?baseline=1)", failed.Stdout, StringComparison.Ordinal);
        Assert.True(passed.ExitCode == 0, passed.Stderr);
        var baseline = JsonDocument.Parse(passed.Stdout).RootElement.GetProperty("baseline");
        Assert.Equal(1_000, baseline.GetProperty("image").GetProperty("sizeBytes").GetProperty("change").GetInt64());
        Assert.True(baseline.GetProperty("verdict").GetProperty("passed").GetBoolean());
    }

    [Fact]
    public async Task Saved_json_reports_compare_as_the_images_they_describe()
    {
        var main3 = Path.Combine(_dir, "main-3.json");
        var pr = Path.Combine(_dir, "pr.json");
        Assert.Equal(0, (await RunAsync("analyze", Image("main-3", BaselineScenarioImages.MainBuild(3)), "--format", "json", "-o", main3)).ExitCode);
        Assert.Equal(0, (await RunAsync("analyze", Image("pr", BaselineScenarioImages.PullRequest()), "--format", "json", "-o", pr)).ExitCode);

        var result = await RunAsync("diff", main3, pr, "--format", "junit");

        Assert.True(result.ExitCode == 1, result.Stderr);
        Assert.Contains("name=\"maxWastedIncreaseBytes\"", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("failures=\"5\"", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dockerfiles_report_one_new_warning_in_sarif_fail_by_the_policy_and_moved_lines_pass()
    {
        var main = Write("Dockerfile", BaselineScenarioImages.MainDockerfile);
        var pr = Write("Dockerfile.pr", BaselineScenarioImages.PullRequestDockerfile);
        var moved = Write("Dockerfile.moved", BaselineScenarioImages.MovedDockerfile);

        var sarif = await RunAsync("diff", main, pr, "--format", "sarif");
        var movedOnly = await RunAsync("diff", main, moved, "--format", "sarif");

        Assert.True(sarif.ExitCode == 1, sarif.Stderr);
        var states = States(sarif.Stdout);
        Assert.Equal(1, states.Count(s => s == "new"));
        Assert.Equal(42, states.Count(s => s == "unchanged"));
        Assert.True(movedOnly.ExitCode == 0, movedOnly.Stderr);
        Assert.All(States(movedOnly.Stdout), s => Assert.Equal("unchanged", s));
    }

    [Fact]
    public async Task A_warn_policy_passes_and_says_so_on_stderr()
    {
        var policy = Write("warn.yaml", "regression:\n  newFindings: warn\n");
        var result = await RunAsync("diff", Write("Dockerfile", BaselineScenarioImages.MainDockerfile),
            Write("Dockerfile.pr", BaselineScenarioImages.PullRequestDockerfile), "--policy", policy);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("layerlens: warning: newFindings: 1 new finding(s)", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("#### New findings (1)", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("regression:\n  maxSizeIncrease: 1MB\n", "bad.yaml:2: regression.maxSizeIncrease: unknown regression rule")]
    [InlineData("regression:\n  noBaseline: sometimes\n", "bad.yaml:2: regression.noBaseline: 'sometimes' is not pass or fail")]
    public async Task A_bad_policy_exits_2_naming_the_file_and_line(string yaml, string message)
    {
        var dockerfile = Write("Dockerfile", BaselineScenarioImages.MainDockerfile);
        var result = await RunAsync("diff", dockerfile, dockerfile, "--policy", Write("bad.yaml", yaml));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"schemaVersion\": 1, \"image\": {\"reference\": \"x\"}, \"layers\": null}", "the image report lacks")]
    [InlineData("{\"schemaVersion\": 1, \"kind\": \"dockerfile\", \"findings\": [null]}", "the review report lacks")]
    [InlineData("{\"hello\": \"world\"}", "not a LayerLens image or Dockerfile report")]
    [InlineData("[1, 2]", "not a LayerLens report")]
    [InlineData("{\"schemaVersion\": 1, \"image\": {\"sizeBytes\": \"many\"}, \"layers\": []}", "not a valid LayerLens report")]
    [InlineData("{\"schemaVersion\": 1, \"image\": ", "not a valid LayerLens report")]
    public async Task A_hostile_or_broken_report_exits_2_with_its_name_and_never_an_internal_error(string json, string message)
    {
        var report = Write("report.json", json);
        var result = await RunAsync("diff", report, report);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("report.json: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_image_against_a_dockerfile_or_a_missing_source_exits_2()
    {
        var image = Image("main-3", BaselineScenarioImages.MainBuild(3));
        var mixed = await RunAsync("diff", image, Write("Dockerfile", BaselineScenarioImages.MainDockerfile));
        var missing = await RunAsync("diff", image, Path.Combine(_dir, "nothing-here.tar"));

        Assert.Equal(2, mixed.ExitCode);
        Assert.Contains("is an image and", mixed.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.DoesNotContain("internal error", missing.Stderr, StringComparison.Ordinal);
    }

    private static List<string> States(string sarif) =>
        [.. JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().Select(r => r.GetProperty("baselineState").GetString()!)];

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
