using System.Globalization;

namespace LayerLens.Analyzer.Optimisation.Equivalence;

/// <summary>
/// Compares two images path by path (type, content hash, size, mode, uid/gid, link target; timestamps
/// ignored) and by runtime config (env, entrypoint, cmd, workdir, user, exposed ports, labels).
/// </summary>
public static class ImageComparer
{
    public const int MaxDifferencesListed = 50;

    public static List<string> Compare(ImageSnapshot original, ImageSnapshot recommended)
    {
        var differences = new List<string>();
        var total = 0;
        void Add(string d)
        {
            if (++total <= MaxDifferencesListed)
            {
                differences.Add(d);
            }
        }
        foreach (var (path, a) in original.Files)
        {
            if (!recommended.Files.TryGetValue(path, out var b))
            {
                Add($"/{path}: only in the original image");
                continue;
            }
            if (a.Type != b.Type)
            {
                Add($"/{path}: {a.Type} in the original, {b.Type} in the recommendation");
            }
            else if (a.ContentHash != b.ContentHash || a.Size != b.Size)
            {
                Add($"/{path}: content differs ({a.Size} vs {b.Size} bytes)");
            }
            if (a.Mode != b.Mode)
            {
                Add($"/{path}: mode {Convert.ToString(a.Mode, 8)} vs {Convert.ToString(b.Mode, 8)}");
            }
            if (a.Uid != b.Uid || a.Gid != b.Gid)
            {
                Add(string.Create(CultureInfo.InvariantCulture, $"/{path}: owner {a.Uid}:{a.Gid} vs {b.Uid}:{b.Gid}"));
            }
            if (a.LinkTarget != b.LinkTarget)
            {
                Add($"/{path}: link target {a.LinkTarget} vs {b.LinkTarget}");
            }
        }
        foreach (var path in recommended.Files.Keys.Where(p => !original.Files.ContainsKey(p)))
        {
            Add($"/{path}: only in the recommended image");
        }
        var ca = original.Config;
        var cb = recommended.Config;
        CompareList("Env", ca.Env, cb.Env, Add);
        CompareList("Entrypoint", ca.Entrypoint, cb.Entrypoint, Add);
        CompareList("Cmd", ca.Cmd, cb.Cmd, Add);
        CompareValue("WorkingDir", ca.WorkingDir, cb.WorkingDir, Add);
        CompareValue("User", ca.User, cb.User, Add);
        CompareList("ExposedPorts", ca.ExposedPorts?.Keys.Order(StringComparer.Ordinal).ToList(), cb.ExposedPorts?.Keys.Order(StringComparer.Ordinal).ToList(), Add);
        CompareList("Labels", ca.Labels?.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value).ToList(),
            cb.Labels?.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value).ToList(), Add);
        if (total > MaxDifferencesListed)
        {
            differences.Add($"... and {total - MaxDifferencesListed} more differences");
        }
        return differences;
    }

    private static void CompareValue(string name, string? a, string? b, Action<string> add)
    {
        if ((a ?? "") != (b ?? ""))
        {
            add($"config {name}: '{a}' vs '{b}'");
        }
    }

    private static void CompareList(string name, IReadOnlyList<string>? a, IReadOnlyList<string>? b, Action<string> add)
    {
        if (!(a ?? []).SequenceEqual(b ?? []))
        {
            add($"config {name}: [{string.Join(", ", a ?? [])}] vs [{string.Join(", ", b ?? [])}]");
        }
    }
}
