using System.Diagnostics;
using System.Text;
using LayerLens.Analyzer.Optimisation.CostModel;

namespace LayerLens.Cli.History;

/// <summary>
/// The change history of the user's own repository for <c>layerlens optimize</c>: <c>git log</c> run in the
/// context directory, hardened so that configuration inside that repository (a cloned or unpacked <c>.git</c>
/// can carry any) cannot make git run a program — no fsmonitor, hooks, signature verification, pager,
/// external diff, textconv, replace objects, lazy fetch or system config — and its text read by the same
/// strict parser the service uses for an uploaded history.
/// </summary>
internal static class GitHistory
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Overrides on git's command line, which win over every configuration file.</summary>
    internal static readonly string[] HardeningArguments =
    [
        "-c", "core.fsmonitor=false",
        "-c", "core.hooksPath=/dev/null",
        "-c", "core.pager=cat",
        "-c", "core.sshCommand=false",
        "-c", "core.askPass=",
        "-c", "core.untrackedCache=false",
        "-c", "log.showSignature=false",
        "-c", "gpg.program=false",
        "-c", "gpg.openpgp.program=false",
        "-c", "gpg.x509.program=false",
        "-c", "gpg.ssh.program=false",
        "-c", "diff.external=",
        "-c", "credential.helper=",
        "-c", "protocol.allow=never",
        "--no-pager",
        "--no-replace-objects",
    ];

    /// <summary>
    /// Commits touching each path of <paramref name="contextDirectory"/> (newest <see cref="ChangeHistory.MaxCommits"/>),
    /// or null when it is no git work tree, git is missing, or git fails or takes too long.
    /// </summary>
    public static ChangeHistory? Read(string contextDirectory)
    {
        var psi = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = contextDirectory,
            StandardOutputEncoding = new UTF8Encoding(false),
        };
        foreach (var a in HardeningArguments)
        {
            psi.ArgumentList.Add(a);
        }
        foreach (var a in new[] { "log", "--no-show-signature", "--no-ext-diff", "--no-textconv", "--no-notes", $"--max-count={ChangeHistory.MaxCommits}", "--format=%x00%H", "--name-only", "--relative", "--", "." })
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_ATTR_NOSYSTEM"] = "1";
        psi.Environment["GIT_NO_REPLACE_OBJECTS"] = "1";
        psi.Environment["GIT_NO_LAZY_FETCH"] = "1";
        psi.Environment["GIT_TERMINAL_PROMPT"] = "0";
        psi.Environment["GIT_OPTIONAL_LOCKS"] = "0";
        foreach (var inherited in new[] { "GIT_DIR", "GIT_WORK_TREE", "GIT_EXTERNAL_DIFF", "GIT_PAGER", "GIT_EXEC_PATH" })
        {
            psi.Environment.Remove(inherited);
        }
        Process? process;
        try
        {
            process = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        if (process is null)
        {
            return null;
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var output = new StringBuilder();
            var buffer = new char[65536];
            var clock = Stopwatch.StartNew();
            int read;
            while ((read = process.StandardOutput.Read(buffer, 0, buffer.Length)) > 0)
            {
                output.Append(buffer, 0, read);
                if (output.Length > ChangeHistory.MaxBytes || clock.Elapsed > Timeout)
                {
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit();
                    Console.Error.WriteLine($"layerlens: git log in {contextDirectory} printed too much or took too long; change weights are uniform (pass --history FILE instead)");
                    return null;
                }
            }
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            _ = stderr.Result;
            if (process.ExitCode != 0)
            {
                return null;
            }
            try
            {
                return ChangeHistory.Parse(output.ToString(), "git log");
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine($"layerlens: git log in {contextDirectory}: {ex.Message}; change weights are uniform");
                return null;
            }
        }
    }
}
