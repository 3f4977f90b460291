using System.Security.Cryptography;
using LayerLens.Data.Blobs;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// What a crash leaves in the blob store, set up on disk as the crash leaves it: a torn file at a blob's path
/// (written before writes were flushed), another live process's temp directory, a dead process's.
/// </summary>
public sealed class BlobStoreCrashTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-blobcrash-").FullName;

    private static (byte[] Content, string Digest) Content(int size, int seed)
    {
        var content = new byte[size];
        new Random(seed).NextBytes(content);
        return (content, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(content)));
    }

    private static void Tear(BlobStore store, string digest, byte[] content)
    {
        var path = store.PathOf(digest);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content[..(content.Length / 2)]); // what a crash before the flush leaves
    }

    [Fact]
    public async Task An_upload_whose_blob_was_torn_by_a_crash_replaces_it_instead_of_deduplicating_onto_it()
    {
        var store = new BlobStore(_data);
        var (content, digest) = Content(100_000, 1);
        Tear(store, digest, content);

        var stored = await store.WriteAsync(new MemoryStream(content), long.MaxValue, CancellationToken.None);

        Assert.Equal(digest, stored.Digest);
        Assert.Equal(content, await File.ReadAllBytesAsync(store.PathOf(digest)));
        Assert.True(store.Verify(digest));
    }

    [Fact]
    public async Task A_torn_kept_layer_is_never_served_from_the_cache_and_the_next_download_replaces_it()
    {
        var store = new BlobStore(_data);
        var (content, digest) = Content(50_000, 2);
        Tear(store, digest, content);

        Assert.Null(store.OpenRead(digest));
        Assert.False(File.Exists(store.PathOf(digest)), "the torn file is removed");

        await using (var download = store.Capture(digest, new MemoryStream(content)))
        {
            await download.CopyToAsync(Stream.Null);
        }
        await using var kept = store.OpenRead(digest);
        Assert.NotNull(kept);
        using var copy = new MemoryStream();
        await kept.CopyToAsync(copy);
        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task A_download_whose_adoption_fails_leaves_no_temp_file_and_keeps_no_blob()
    {
        var store = new BlobStore(_data);
        var (content, digest) = Content(40_000, 3);
        // The blob's shard directory cannot be made (a file sits at its path): adopting the verified copy fails.
        var shard = Path.GetDirectoryName(store.PathOf(digest))!;
        File.WriteAllBytes(shard, []);
        await using (var download = store.Capture(digest, new MemoryStream(content)))
        {
            await Assert.ThrowsAnyAsync<IOException>(() => download.CopyToAsync(Stream.Null));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(store.TempDirectory));
        Assert.False(store.Exists(digest));
    }

    [Fact]
    public async Task A_blob_write_flushes_the_file_before_its_rename_and_the_directories_after()
    {
        // The order of the system calls, traced by strace on a child process using the real BlobStore.
        var trace = await BlobWriteTrace.RunAsync(_data);
        var temp = trace.FindIndex(l => l.Contains("openat(", StringComparison.Ordinal) && l.Contains("/blobs/tmp/", StringComparison.Ordinal) && l.Contains("O_CREAT", StringComparison.Ordinal));
        var rename = trace.FindIndex(l => l.Contains("rename", StringComparison.Ordinal) && l.Contains("/blobs/sha256/", StringComparison.Ordinal));
        Assert.True(temp >= 0 && rename > temp, string.Join('\n', trace));
        Assert.Contains(trace[temp..rename], l => l.StartsWith("fsync(", StringComparison.Ordinal) || l.StartsWith("fdatasync(", StringComparison.Ordinal));
        var shardOpened = trace.FindIndex(rename, l => l.Contains("O_DIRECTORY", StringComparison.Ordinal) && l.Contains("/blobs/sha256/", StringComparison.Ordinal));
        Assert.True(shardOpened > rename, string.Join('\n', trace));
        Assert.Contains(trace[shardOpened..], l => l.StartsWith("fsync(", StringComparison.Ordinal));
        // The new shard directory itself was flushed into the root before the rename.
        Assert.Contains(trace[temp..rename], l => l.Contains("O_DIRECTORY", StringComparison.Ordinal) && l.TrimEnd().Contains("/blobs/sha256\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_process_starting_leaves_a_live_processs_upload_alone_and_removes_a_dead_ones_leftovers()
    {
        var running = new BlobStore(_data);
        var (content, digest) = Content(200_000, 3);
        var gate = new TaskCompletionSource();
        var upload = running.WriteAsync(new HeldStream(content, gate.Task), long.MaxValue, CancellationToken.None);
        await CrashApp.WaitUntilAsync(() => Directory.GetFiles(running.TempDirectory).Length == 1, TimeSpan.FromSeconds(10), "the upload's temp file exists");

        // A dead process's directory: its lock file exists but nobody holds it (the kernel dropped it with the process).
        var temps = Path.GetDirectoryName(running.TempDirectory)!;
        var dead = Path.Combine(temps, "99999-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dead);
        await File.WriteAllTextAsync(dead + ".lock", "");
        await File.WriteAllBytesAsync(Path.Combine(dead, "half-an-upload"), new byte[1000]);

        // Another process starts on the same data directory (a flock is per open file, so a second store here acts as one).
        var starting = new BlobStore(_data);

        Assert.False(Directory.Exists(dead), "the dead instance's temp directory is removed");
        Assert.False(File.Exists(dead + ".lock"));
        Assert.Single(Directory.GetFiles(running.TempDirectory));
        gate.SetResult();
        var stored = await upload;
        Assert.Equal(digest, stored.Digest);
        Assert.True(starting.Verify(digest));
        running.Dispose();
        starting.Dispose();
    }

    /// <summary>Gives half its bytes, then waits for the gate: an upload still in flight.</summary>
    private sealed class HeldStream(byte[] content, Task gate) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= content.Length / 2)
            {
                await gate.WaitAsync(cancellationToken);
            }
            var count = Math.Min(buffer.Length, (_position < content.Length / 2 ? content.Length / 2 : content.Length) - _position);
            content.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);
}
