namespace LayerLens.Analyzer.Rebuild;

/// <summary>What kind of filesystem object a path is in the final view (hard links are files sharing a <see cref="FinalEntry.LinkGroup"/>).</summary>
public enum FinalEntryType
{
    File,
    Directory,
    Symlink,
    CharDevice,
    BlockDevice,
    Fifo,
}

/// <summary>Where an entry's bytes sit in the source: the layer and the entry's position in that layer's tar.</summary>
public readonly record struct EntryLocation(int Layer, int Ordinal);

/// <summary>
/// One visible path with every piece of metadata the rebuild contract promises: type, mode, owner (ids and
/// names), modification time as written, link target, device numbers, the remaining PAX records (xattrs,
/// atime, ctime …) and a content hash. <see cref="Layer"/> is the layer whose entry last wrote the path.
/// </summary>
public sealed record FinalEntry
{
    public required FinalEntryType Type { get; init; }
    public required int Mode { get; init; }
    public required int Uid { get; init; }
    public required int Gid { get; init; }
    public required string UserName { get; init; }
    public required string GroupName { get; init; }

    /// <summary>The PAX mtime record as written, or the header's whole seconds.</summary>
    public required string ModificationTime { get; init; }

    public required string? LinkTarget { get; init; }
    public required int DeviceMajor { get; init; }
    public required int DeviceMinor { get; init; }
    public required long Size { get; init; }
    public required UInt128 ContentHash { get; init; }

    /// <summary>PAX records other than those the header fields above carry (SCHILY.xattr.*, atime, ctime …), sorted.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> PaxRecords { get; init; }

    public required int Layer { get; init; }

    /// <summary>The entry whose data is this file's content (for a hard link: its target's entry).</summary>
    public required EntryLocation Content { get; init; }

    /// <summary>Paths sharing an inode share a group number; -1 when the file is not hard-linked.</summary>
    public int LinkGroup { get; set; } = -1;

    /// <summary>The metadata the contract compares, hard-link structure excepted.</summary>
    public bool SameAs(FinalEntry other) =>
        Type == other.Type && Mode == other.Mode && Uid == other.Uid && Gid == other.Gid
        && UserName == other.UserName && GroupName == other.GroupName && ModificationTime == other.ModificationTime
        && LinkTarget == other.LinkTarget && DeviceMajor == other.DeviceMajor && DeviceMinor == other.DeviceMinor
        && Size == other.Size && ContentHash == other.ContentHash && PaxRecords.SequenceEqual(other.PaxRecords);
}
