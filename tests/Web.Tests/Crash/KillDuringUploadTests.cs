using System.Net;
using System.Net.Http.Headers;

namespace LayerLens.Web.Tests.Crash;

/// <summary>kill -9 of the web process while an upload streams in: after restart nothing of it is visible or served.</summary>
public sealed class KillDuringUploadTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-upkill-").FullName;
    private readonly HoldingRegistry _registry = new();

    [Fact]
    public async Task An_upload_cut_by_a_kill_leaves_no_blob_no_analysis_and_its_temp_directory_is_removed_at_the_next_start()
    {
        var content = new byte[4 * 1024 * 1024];
        new Random(4).NextBytes(content);
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        string tempDirectory;
        await using (var first = await CrashApp.StartAsync(_registry, _data))
        {
            using var client = first.CreateClient(timeout: TimeSpan.FromSeconds(120));
            var gate = new TaskCompletionSource();
            using var body = new StreamContent(new HalfThenWait(content, gate.Task));
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
            body.Headers.ContentLength = content.Length;
            var upload = client.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), body);
            var temps = Path.Combine(_data, "blobs", "tmp");
            await CrashApp.WaitUntilAsync(
                () => Directory.GetDirectories(temps).Any(d => Directory.GetFiles(d).Any(f => new FileInfo(f).Length > 0)),
                TimeSpan.FromSeconds(60), "half the upload reached the server's temp file");
            tempDirectory = Directory.GetDirectories(temps).Single(d => Directory.GetFiles(d).Length > 0);
            await first.KillAsync();
            gate.SetResult();
            await Assert.ThrowsAnyAsync<Exception>(() => upload);
        }

        await using var second = await CrashApp.StartAsync(_registry, _data);
        Assert.False(Directory.Exists(tempDirectory), "the dead process's temp directory is removed at start");
        Assert.False(File.Exists(Path.Combine(_data, "blobs", "sha256", digest[7..9], digest[7..])), "no blob of the cut upload");
        using var client2 = second.CreateClient();
        using var list = await client2.GetAsync(new Uri("api/v1/analyses", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.DoesNotContain(digest, await list.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private sealed class HalfThenWait(byte[] content, Task gate) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => content.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var half = content.Length / 2;
            if (_position >= half)
            {
                await gate.WaitAsync(cancellationToken);
                throw new IOException("the test stops sending here");
            }
            var count = Math.Min(buffer.Length, half - _position);
            content.AsMemory(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    public void Dispose()
    {
        _registry.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
