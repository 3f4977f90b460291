namespace LayerLens.TestInfrastructure.Git;

/// <summary>
/// A real git repository whose configuration points every program hook it can at ./x, with a signed commit: what a
/// cloned or unpacked .git can carry. ./x and the hooks only touch a marker file, so a test sees whether anything ran.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class HostileGitRepository
{
    /// <summary>Creates the repository at <paramref name="repo"/> with <paramref name="files"/> (path, content) committed beside ./x and hooks/.</summary>
    public static string Create(string repo, string marker, params (string Path, string Content)[] files)
    {
        Directory.CreateDirectory(repo);
        foreach (var (path, content) in files)
        {
            File.WriteAllText(Path.Combine(repo, path), content);
        }
        var script = $"#!/bin/sh\ntouch '{marker}'\n";
        File.WriteAllText(Path.Combine(repo, "x"), script);
        File.SetUnixFileMode(Path.Combine(repo, "x"), (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(repo, "hooks"));
        foreach (var hook in new[] { "post-checkout", "post-index-change", "reference-transaction", "pre-commit", "post-commit" })
        {
            File.WriteAllText(Path.Combine(repo, "hooks", hook), script);
            File.SetUnixFileMode(Path.Combine(repo, "hooks", hook), (UnixFileMode)0b111_101_101);
        }
        TestGit.Run(repo, "init", "-q", ".");
        TestGit.Run(repo, "add", ".");
        var tree = TestGit.Run(repo, "write-tree").Trim();
        // A commit with a gpgsig header: with log.showSignature, git hands it to gpg.program to verify.
        var commit = $"tree {tree}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n" +
                     "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n";
        var sha = TestGit.RunWithInput(repo, commit, "hash-object", "-t", "commit", "-w", "--stdin").Trim();
        TestGit.Run(repo, "update-ref", "HEAD", sha);
        foreach (var (key, value) in new[] { ("gpg.program", "./x"), ("log.showSignature", "true"), ("core.fsmonitor", "./x"), ("core.hooksPath", "hooks"), ("core.pager", "./x"), ("diff.external", "./x") })
        {
            TestGit.Run(repo, "config", key, value);
        }
        return repo;
    }
}
