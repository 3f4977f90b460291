namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// Compares two final views path by path: type, mode, uid/gid and owner names, content (hash and size),
/// link target, device numbers, modification time, PAX records (xattrs …) and hard-link structure
/// (which paths share an inode). Returns the differences, at most <see cref="MaxListed"/> named.
/// </summary>
public static class EquivalenceProof
{
    public const int MaxListed = 50;

    public static List<string> Compare(FinalView original, FinalView rebuilt)
    {
        var differences = new List<string>();
        var total = 0;
        void Add(string d)
        {
            if (++total <= MaxListed)
            {
                differences.Add(d);
            }
        }
        var linksA = original.HardLinkLeaders();
        var linksB = rebuilt.HardLinkLeaders();
        foreach (var (path, a) in original.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!rebuilt.Entries.TryGetValue(path, out var b))
            {
                Add($"/{path}: missing from the rebuilt image");
                continue;
            }
            if (!a.SameAs(b))
            {
                Add($"/{path}: {Describe(a)} in the original, {Describe(b)} rebuilt");
            }
            var la = linksA.GetValueOrDefault(path);
            var lb = linksB.GetValueOrDefault(path);
            if (la != lb)
            {
                Add($"/{path}: hard-linked with {(la is null ? "nothing" : "/" + la)} in the original, with {(lb is null ? "nothing" : "/" + lb)} rebuilt");
            }
        }
        foreach (var path in rebuilt.Entries.Keys.Where(p => !original.Entries.ContainsKey(p)).Order(StringComparer.Ordinal))
        {
            Add($"/{path}: only in the rebuilt image");
        }
        if (total > MaxListed)
        {
            differences.Add($"... and {total - MaxListed} more differences");
        }
        return differences;
    }

    private static string Describe(FinalEntry e) => FormattableString.Invariant(
        $"{e.Type} mode {Convert.ToString(e.Mode, 8)} owner {e.Uid}:{e.Gid} ({e.UserName}:{e.GroupName}) mtime {e.ModificationTime} size {e.Size} content {e.ContentHash:x32}")
        + (e.LinkTarget is null ? "" : $" -> {e.LinkTarget}")
        + (e.Type is FinalEntryType.CharDevice or FinalEntryType.BlockDevice ? FormattableString.Invariant($" device {e.DeviceMajor},{e.DeviceMinor}") : "")
        + (e.PaxRecords.Count == 0 ? "" : " pax {" + string.Join(", ", e.PaxRecords.Select(r => r.Key + "=" + r.Value)) + "}");
}
