using System.Runtime.InteropServices;

namespace LayerLens.Data.Durability;

/// <summary>
/// Makes a file's bytes and a directory's entries survive a crash or power loss before anything refers
/// to them: a rename is only durable once the directory holding it is fsynced, and the file's data only
/// once the file is. .NET has no call for a directory, so on Linux it is opened and fsynced through libc.
/// </summary>
public static partial class DurableFiles
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux (x64 and arm64)

    /// <summary>Flushes an open file's data and metadata to the disk.</summary>
    public static void Sync(FileStream file) => file.Flush(flushToDisk: true);

    /// <summary>Flushes a file (by path) to the disk.</summary>
    public static void SyncFile(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        file.Flush(flushToDisk: true);
    }

    /// <summary>Flushes a directory's entries (a rename into it, a new file) to the disk.</summary>
    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // elsewhere the service is not supported for production; renames stay best effort
        }
        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            throw new IOException($"could not open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }
        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"could not flush directory {path} (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Flushes every file and directory under <paramref name="root"/>, then the root itself and its parent.</summary>
    public static void SyncTree(string root)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            SyncFile(file);
        }
        foreach (var directory in System.IO.Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories))
        {
            SyncDirectory(directory);
        }
        SyncDirectory(root);
        SyncDirectory(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(root))!);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
