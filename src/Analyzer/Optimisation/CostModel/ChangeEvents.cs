using System.Diagnostics;
using LayerLens.Analyzer.Optimisation.Context;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>A kind of change: a group of context paths that change together, and how often it changes.</summary>
public sealed record ChangeEvent(string Name, IReadOnlySet<string> Files, double Weight);

/// <summary>
/// Path groups of the context (each top-level entry; dependency manifests on their own), weighted by how
/// many commits touched them in <c>git log</c> when the context is in a git repository, uniformly otherwise.
/// </summary>
public static class ChangeEvents
{
    public const int MaxCommits = 2000;

    public static (IReadOnlyList<ChangeEvent> Events, string WeightSource) From(BuildContext context, IReadOnlySet<string> manifests)
    {
        if (!context.IsKnown || context.Count == 0)
        {
            return ([new ChangeEvent("any source", new HashSet<string>(), 1)], "uniform");
        }
        var groups = new SortedDictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var file in context.Files)
        {
            var key = manifests.Contains(file.Path) ? "manifest:" + file.Path : TopLevel(file.Path);
            if (!groups.TryGetValue(key, out var set))
            {
                groups[key] = set = new HashSet<string>(StringComparer.Ordinal);
            }
            set.Add(file.Path);
        }
        var counts = GitCounts(context.Root!);
        if (counts is null || counts.Count == 0)
        {
            return ([.. groups.Select(g => new ChangeEvent(g.Key, g.Value, 1))], "uniform");
        }
        var events = new List<ChangeEvent>();
        foreach (var (name, files) in groups)
        {
            var commits = files.Count == 0 ? 0 : counts.Where(c => files.Contains(c.Key)).Select(c => c.Value).DefaultIfEmpty(0).Max();
            if (commits > 0)
            {
                events.Add(new ChangeEvent(name, files, commits));
            }
        }
        return events.Count == 0 ? ([.. groups.Select(g => new ChangeEvent(g.Key, g.Value, 1))], "uniform") : (events, "git log");
    }

    private static string TopLevel(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[..slash];
    }

    /// <summary>Commits touching each path (relative to <paramref name="root"/>), or null without git history.</summary>
    private static Dictionary<string, int>? GitCounts(string root)
    {
        try
        {
            var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = root };
            foreach (var a in new[] { "log", $"--max-count={MaxCommits}", "--format=", "--name-only", "--relative", "--", "." })
            {
                psi.ArgumentList.Add(a);
            }
            using var process = Process.Start(psi);
            if (process is null)
            {
                return null;
            }
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var stderr = process.StandardError.ReadToEndAsync();
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                if (line.Length > 0)
                {
                    counts[line] = counts.GetValueOrDefault(line) + 1;
                }
            }
            if (!process.WaitForExit(30_000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            _ = stderr.Result;
            return process.ExitCode == 0 ? counts : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
