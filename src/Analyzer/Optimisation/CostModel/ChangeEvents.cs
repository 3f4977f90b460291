using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>A kind of change: a group of context paths that change together, and how often it changes.</summary>
public sealed record ChangeEvent(string Name, IReadOnlySet<string> Files, double Weight);

/// <summary>
/// Path groups of the context (each top-level entry; dependency manifests on their own), weighted by how many
/// commits of a given <see cref="ChangeHistory"/> touched them, uniformly without one. The engine never runs
/// a tool to find history: a context may carry configuration that makes such a tool run its programs.
/// </summary>
public static class ChangeEvents
{
    public static (IReadOnlyList<ChangeEvent> Events, string WeightSource) From(BuildContext context, IReadOnlySet<string> manifests, ChangeHistory? history = null)
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
        if (history is null || history.Counts.Count == 0)
        {
            return ([.. groups.Select(g => new ChangeEvent(g.Key, g.Value, 1))], "uniform");
        }
        var events = new List<ChangeEvent>();
        foreach (var (name, files) in groups)
        {
            var commits = files.Select(f => history.Counts.GetValueOrDefault(f)).DefaultIfEmpty(0).Max();
            if (commits > 0)
            {
                events.Add(new ChangeEvent(name, files, commits));
            }
        }
        return events.Count == 0 ? ([.. groups.Select(g => new ChangeEvent(g.Key, g.Value, 1))], "uniform") : (events, history.Source);
    }

    private static string TopLevel(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? path : path[..slash];
    }
}
