using System.Diagnostics;
using System.Text.Json;

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
        Git(repo, "log", "--format=", "--name-only", "--", ".");
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

    private string HostileRepository(string marker)
    {
        var repo = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(repo);
        File.WriteAllText(Path.Combine(repo, "Dockerfile"), Dockerfile);
        File.WriteAllText(Path.Combine(repo, "package.json"), "{}\n");
        File.WriteAllText(Path.Combine(repo, "index.js"), "console.log(1)\n");
        var script = $"#!/bin/sh\ntouch '{marker}'\n";
        File.WriteAllText(Path.Combine(repo, "x"), script);
        File.SetUnixFileMode(Path.Combine(repo, "x"), (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(repo, "hooks"));
        foreach (var hook in new[] { "post-checkout", "post-index-change", "reference-transaction" })
        {
            File.WriteAllText(Path.Combine(repo, "hooks", hook), script);
            File.SetUnixFileMode(Path.Combine(repo, "hooks", hook), (UnixFileMode)0b111_101_101);
        }
        Git(repo, "init", "-q", ".");
        Git(repo, "add", ".");
        var tree = Git(repo, "write-tree").Trim();
        var commit = $"tree {tree}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n" +
                     "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n";
        var sha = GitWithInput(repo, commit, "hash-object", "-t", "commit", "-w", "--stdin").Trim();
        Git(repo, "update-ref", "HEAD", sha);
        foreach (var (key, value) in new[] { ("gpg.program", "./x"), ("log.showSignature", "true"), ("core.fsmonitor", "./x"), ("core.hooksPath", "hooks"), ("core.pager", "./x"), ("diff.external", "./x") })
        {
            Git(repo, "config", key, value);
        }
        return repo;
    }

    private static string Git(string directory, params string[] args) => GitWithInput(directory, null, args);

    private static string GitWithInput(string directory, string? input, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = directory };
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
