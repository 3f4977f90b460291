using System.Runtime.InteropServices;

namespace LayerLens.Data.Durability;

/// <summary>
/// A lock file held (flock, exclusive) for as long as this process lives: the kernel drops it when the
/// process dies, even by kill -9. Another process on this host tells a live owner from a dead one by
/// trying to take it. Machines that share the database never share this disk, so the lock is enough.
/// </summary>
public sealed partial class ProcessInstanceLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int WouldBlock = 11; // EWOULDBLOCK on Linux

    private readonly FileStream _file;

    private ProcessInstanceLock(FileStream file, string path)
    {
        _file = file;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Creates and takes the lock at <paramref name="path"/>; throws when someone else holds it.</summary>
    public static ProcessInstanceLock Acquire(string path) =>
        TryTake(path, FileMode.OpenOrCreate) ?? throw new IOException($"the lock {path} is held by another process");

    /// <summary>
    /// Takes the lock of another instance when its owner is gone (true: the caller may remove what it owned,
    /// then dispose the returned lock); false while a live process holds it.
    /// </summary>
    public static bool TryTakeOver(string path, out ProcessInstanceLock? taken)
    {
        try
        {
            taken = TryTake(path, FileMode.Open);
            return taken is not null;
        }
        catch (FileNotFoundException)
        {
            taken = null;
            return true; // no lock file: nobody owns it
        }
    }

    private static ProcessInstanceLock? TryTake(string path, FileMode mode)
    {
        FileStream file;
        try
        {
            // FileShare.None makes .NET flock the file too; the explicit flock below does not depend on that.
            file = new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null;
        }
        if (OperatingSystem.IsLinux() && Flock((int)file.SafeFileHandle.DangerousGetHandle(), LockExclusive | LockNonBlocking) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            return errno == WouldBlock ? null : throw new IOException($"could not lock {path} (errno {errno})");
        }
        return new ProcessInstanceLock(file, path);
    }

    /// <summary>Releases the lock and removes its file.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // Someone else removed or holds it: nothing of ours to clean.
        }
        _file.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);
}
