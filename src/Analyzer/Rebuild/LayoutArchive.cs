namespace LayerLens.Analyzer.Rebuild;

/// <summary>An OCI layout directory as an oci-archive: a plain tar, entries sorted, owner root, times zero.</summary>
internal static class LayoutArchive
{
    public static void Write(string layout, string archive)
    {
        using var file = new FileStream(archive, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var tar = new DeterministicTarWriter(file);
        var paths = Directory.EnumerateFileSystemEntries(layout, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(layout, p).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        var buffer = new byte[1 << 16];
        foreach (var path in paths)
        {
            var full = Path.Combine(layout, path);
            var isDir = Directory.Exists(full);
            tar.WriteHeader(path, isDir ? '5' : '0', Meta(isDir ? 0x1ed : 0x1a4), null, isDir ? 0 : new FileInfo(full).Length);
            if (isDir)
            {
                continue;
            }
            using var source = File.OpenRead(full);
            int n;
            while ((n = source.Read(buffer)) > 0)
            {
                tar.Write(buffer.AsSpan(0, n));
            }
            tar.Pad(source.Length);
        }
        tar.Finish();
        file.Flush(flushToDisk: true);
    }

    private static FinalEntry Meta(int mode) => new()
    {
        Type = FinalEntryType.File,
        Mode = mode,
        Uid = 0,
        Gid = 0,
        UserName = "",
        GroupName = "",
        ModificationTime = "0",
        LinkTarget = null,
        DeviceMajor = 0,
        DeviceMinor = 0,
        Size = 0,
        ContentHash = 0,
        PaxRecords = [],
        Layer = 0,
        Content = default,
    };
}
