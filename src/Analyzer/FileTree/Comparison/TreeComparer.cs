using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.FileTree.Comparison;

/// <summary>One path that differs between two final trees; a whole added or removed directory is one row.</summary>
/// <param name="Files">Non-directory entries the row stands for (1 for a file, every one below for a directory).</param>
public sealed record TreeDifference(string Path, string Change, EntryKind Kind, long? OldSize, long? NewSize, int Files);

/// <summary>What differs between two final filesystems: rows to show and totals over all of them.</summary>
public sealed class TreeComparison
{
    public List<TreeDifference> Items { get; } = [];

    public int AddedFiles { get; set; }

    public int RemovedFiles { get; set; }

    public int ChangedFiles { get; set; }

    public long AddedBytes { get; set; }

    public long RemovedBytes { get; set; }

    /// <summary>More rows differed than were kept, or the walk stopped at its node budget.</summary>
    public bool Truncated { get; set; }
}

/// <summary>
/// Compares two analyses' final trees directory by directory through their tree files (merge-joining each
/// directory's sorted children), so neither tree is ever loaded whole. "Changed" means a different type,
/// size or link target: the tree file keeps no content digests.
/// </summary>
public static class TreeComparer
{
    public static TreeComparison Compare(ITreeSource before, int beforeLayer, ITreeSource after, int afterLayer, int maxItems = 2000, int maxNodes = 2_000_000, CancellationToken cancellationToken = default)
    {
        var result = new TreeComparison();
        var budget = maxNodes;
        var pending = new Stack<(string Path, bool InBefore, bool InAfter)>();
        pending.Push(("", true, true));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (path, inBefore, inAfter) = pending.Pop();
            var left = inBefore ? Visible(before.ListDirectory(beforeLayer, path)) : [];
            var right = inAfter ? Visible(after.ListDirectory(afterLayer, path)) : [];
            budget -= left.Count + right.Count;
            if (budget < 0)
            {
                result.Truncated = true;
                break;
            }
            int i = 0, j = 0;
            var children = new List<(string, bool, bool)>();
            while (i < left.Count || j < right.Count)
            {
                var order = i == left.Count ? 1 : j == right.Count ? -1 : string.CompareOrdinal(left[i].Name, right[j].Name);
                if (order < 0)
                {
                    Record(result, left[i], null, maxItems, before, beforeLayer, ref budget);
                    i++;
                }
                else if (order > 0)
                {
                    Record(result, null, right[j], maxItems, after, afterLayer, ref budget);
                    j++;
                }
                else
                {
                    var (a, b) = (left[i], right[j]);
                    if (a.IsDirectory && b.IsDirectory)
                    {
                        children.Add((b.Path, true, true));
                    }
                    else if (a.Kind != b.Kind || a.Size != b.Size || a.LinkTarget != b.LinkTarget)
                    {
                        if (a.IsDirectory || b.IsDirectory)
                        {
                            // A directory replaced by a file (or the reverse): its old contents went, the new thing came.
                            Record(result, a, null, maxItems, before, beforeLayer, ref budget);
                            Record(result, null, b, maxItems, after, afterLayer, ref budget);
                        }
                        else
                        {
                            result.ChangedFiles++;
                            Add(result, new TreeDifference(b.Path, "changed", b.Kind, a.Size, b.Size, 1), maxItems);
                        }
                    }
                    i++;
                    j++;
                }
            }
            for (var k = children.Count - 1; k >= 0; k--)
            {
                pending.Push(children[k]);
            }
        }
        result.Items.Sort((x, y) => string.CompareOrdinal(x.Path, y.Path));
        return result;
    }

    private static List<TreeEntry> Visible(IReadOnlyList<TreeEntry> entries)
    {
        var visible = entries.Where(e => e.Status != ChangeStatus.Removed).ToList();
        visible.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        return visible;
    }

    private static void Record(TreeComparison result, TreeEntry? removed, TreeEntry? added, int maxItems, ITreeSource source, int layer, ref int budget)
    {
        var entry = (removed ?? added)!;
        var files = entry.IsDirectory ? CountFiles(source, layer, entry.Path, ref budget) : 1;
        if (removed is not null)
        {
            result.RemovedFiles += files;
            result.RemovedBytes += entry.Size;
            Add(result, new TreeDifference(entry.Path, "removed", entry.Kind, entry.Size, null, files), maxItems);
        }
        else
        {
            result.AddedFiles += files;
            result.AddedBytes += entry.Size;
            Add(result, new TreeDifference(entry.Path, "added", entry.Kind, null, entry.Size, files), maxItems);
        }
    }

    private static int CountFiles(ITreeSource source, int layer, string path, ref int budget)
    {
        var count = 0;
        var pending = new Stack<string>();
        pending.Push(path);
        while (pending.Count > 0 && budget > 0)
        {
            foreach (var child in source.ListDirectory(layer, pending.Pop()))
            {
                budget--;
                if (child.Status == ChangeStatus.Removed)
                {
                    continue;
                }
                if (child.IsDirectory)
                {
                    pending.Push(child.Path);
                }
                else
                {
                    count++;
                }
            }
        }
        return count;
    }

    private static void Add(TreeComparison result, TreeDifference item, int maxItems)
    {
        if (result.Items.Count < maxItems)
        {
            result.Items.Add(item);
        }
        else
        {
            result.Truncated = true;
        }
    }
}
