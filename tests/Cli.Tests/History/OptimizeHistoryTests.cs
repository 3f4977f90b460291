using System.Text.Json;
using LayerLens.TestInfrastructure.Git;

namespace LayerLens.Cli.Tests.History;

/// <summary>
/// <c>layerlens optimize</c> reads change frequencies from the user's own repository with a hardened git, so a
/// repository whose configuration points gpg.program, core.fsmonitor, core.hooksPath, core.pager and
/// diff.external at a program (a cloned or unpacked .git can carry any of them) runs nothing; or from
/// <c>--history FILE</c>, parsed strictly.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OptimizeHistoryTests : IDisposable
{
    private const string Dockerfile = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-cli-history-").FullName;

    [Fact]
    public void A_hostile_repository_configuration_runs_nothing_yet_its_history_weights_the_changes()
    {
        var marker = Path.Combine(_dir, "marker");
        var repo = HostileRepository(marker);
        TestGit.Run(repo, "log", "--format=", "--name-only", "--", ".");
        Assert.True(File.Exists(marker), "the repository should run ./x under a plain git log");
        File.Delete(marker);

        var result = CliRunner.Run("optimize", Path.Combine(repo, "Dockerfile"), "--context", repo, "--format", "json");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.False(File.Exists(marker), "layerlens optimize let the repository's configuration run a program");
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("git log", json.RootElement.GetProperty("expected").GetProperty("weights").GetString());
    }

    [Fact]
    public void A_history_file_replaces_git_and_a_malformed_one_exits_2_naming_its_line()
    {
        var repo = Path.Combine(_dir, "plain");
        Directory.CreateDirectory(repo);
        File.WriteAllText(Path.Combine(repo, "Dockerfile"), Dockerfile);
        File.WriteAllText(Path.Combine(repo, "index.js"), "1\n");
        File.WriteAllText(Path.Combine(repo, "package.json"), "{}\n");
        var history = Path.Combine(_dir, "history.txt");
        File.WriteAllText(history, "commit 1bda5b6ede87818787438a73ad0bea3e9e15ff39\nAuthor: A <a@example.com>\n\n    one\n\nindex.js\n");

        var result = CliRunner.Run("optimize", Path.Combine(repo, "Dockerfile"), "--context", repo, "--history", history, "--format", "json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var json = JsonDocument.Parse(result.Stdout);
        Assert.Equal("change history", json.RootElement.GetProperty("expected").GetProperty("weights").GetString());

        File.WriteAllText(history, "index.js\n");
        result = CliRunner.Run("optimize", Path.Combine(repo, "Dockerfile"), "--context", repo, "--history", history);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("change history line 1: 'index.js' comes before any 'commit <hash>' line", result.Stderr, StringComparison.Ordinal);
    }

    private string HostileRepository(string marker) =>
        HostileGitRepository.Create(Path.Combine(_dir, "repo"), marker, ("Dockerfile", Dockerfile), ("package.json", "{}\n"), ("index.js", "console.log(1)\n"));

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
