namespace LayerLens.TestInfrastructure.Images;

/// <summary>
/// An exclusive lock shared by every test process on the machine: an open lock file with FileShare.None
/// (an flock on Linux), retried until free. It serialises buildah and skopeo use of one store.
/// </summary>
internal static class CacheLock
{
    // Inside one process, queue on a semaphore rather than spinning on the file.
    private static readonly SemaphoreSlim InProcess = new(1, 1);

    public static async Task<IAsyncDisposable> AcquireAsync(string lockFile, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        if (!await InProcess.WaitAsync(timeout, cancellationToken))
        {
            throw new TimeoutException($"Timed out after {timeout} waiting for the image cache lock inside this process.");
        }

        try
        {
            while (true)
            {
                try
                {
                    var stream = new FileStream(lockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new Held(stream);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken);
                }
                catch (IOException ex)
                {
                    throw new TimeoutException($"Timed out after {timeout} waiting for the image cache lock {lockFile} (held by another test process).", ex);
                }
            }
        }
        catch
        {
            InProcess.Release();
            throw;
        }
    }

    private sealed class Held(FileStream stream) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stream.DisposeAsync();
            InProcess.Release();
        }
    }
}
