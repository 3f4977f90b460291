using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// The distribution calls a store built on a registry needs besides pushing by a known digest: an upload whose
/// digest is known only once it has been read (POST, one streamed PATCH, PUT with the digest the reader computed —
/// the registry refuses the PUT when its bytes have another), blob size by HEAD, tag listing, and deletes.
/// </summary>
public static class RegistryStorageCalls
{
    private const int MaxTagListBytes = 8 << 20;

    /// <summary>
    /// Streams <paramref name="content"/> into a new upload session and commits it as <paramref name="digestAfterRead"/>
    /// (asked once the stream was read to its end). Sent once; a failure midway is the caller's to report.
    /// </summary>
    public static async Task<string> UploadStreamAsync(this RegistryPusher registry, Stream content, Func<string> digestAfterRead, CancellationToken ct)
    {
        var client = registry.Client;
        var what = $"{registry.Target.Host}/{registry.Target.Repository}: upload";
        // HEAD first so the token (or basic credentials) is in place before the one-shot body is sent.
        await registry.BlobExistsAsync("sha256:" + new string('0', 64), ct);
        Uri location;
        using (var started = await client.SendAsync(new RegistryRequest(HttpMethod.Post, new Uri(client.BaseUri, "blobs/uploads/")), ct))
        {
            location = Location(registry, started, what);
        }
        using (var patched = await client.SendAsync(new RegistryRequest(HttpMethod.Patch, location)
        {
            Replayable = false,
            // No length: the body is chunked, so the web node never needs the whole upload first.
            Content = progress => new StreamContent(new ProgressStream(content, progress), 1 << 16)
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") },
            },
        }, ct))
        {
            location = Location(registry, patched, what);
        }
        var digest = digestAfterRead();
        var put = new Uri(location + (location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest));
        using var done = await client.SendAsync(new RegistryRequest(HttpMethod.Put, put) { Replayable = false }, ct);
        if (done.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } answered && answered != digest)
        {
            throw new RegistryException($"{what}: the registry stored the upload as {answered[..Math.Min(answered.Length, 80)]}, not as its content's digest {digest}");
        }
        return digest;
    }

    /// <summary>The size of a blob of the repository (HEAD), or null when it has none.</summary>
    public static async Task<long?> BlobSizeAsync(this RegistryPusher registry, string digest, CancellationToken ct)
    {
        var client = registry.Client;
        using var response = await client.SendAsync(new RegistryRequest(HttpMethod.Head, new Uri(client.BaseUri, "blobs/" + digest)) { Answers = [HttpStatusCode.NotFound] }, ct);
        return response.StatusCode == HttpStatusCode.NotFound ? null : response.Content.Headers.ContentLength;
    }

    /// <summary>Opens a blob of the repository for streaming (resumed when cut midway); the caller verifies its digest.</summary>
    public static Task<Stream> OpenBlobStreamAsync(this RegistryPusher registry, string digest, long size, CancellationToken ct) =>
        registry.Client.OpenBlobAsync(digest, size, ct);

    /// <summary>Deletes a blob from the repository (its bytes go at the registry's next garbage collection); none there is not an error.</summary>
    public static Task DeleteBlobAsync(this RegistryPusher registry, string digest, CancellationToken ct) =>
        DeleteAsync(registry, "blobs/" + digest, ct);

    /// <summary>Deletes a manifest by its digest (every tag naming it goes with it).</summary>
    public static Task DeleteManifestAsync(this RegistryPusher registry, string digest, CancellationToken ct) =>
        DeleteAsync(registry, "manifests/" + digest, ct);

    /// <summary>The repository's tags (none when the repository does not exist yet).</summary>
    public static async Task<IReadOnlyList<string>> ListTagsAsync(this RegistryPusher registry, CancellationToken ct)
    {
        var client = registry.Client;
        using var response = await client.SendAsync(new RegistryRequest(HttpMethod.Get, new Uri(client.BaseUri, "tags/list"))
        {
            Accept = ["application/json"],
            Answers = [HttpStatusCode.NotFound],
        }, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
        var body = await client.ReadCappedAsync(response, MaxTagListBytes, "tag list", ct);
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? [.. tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)]
                : [];
        }
        catch (JsonException ex)
        {
            throw new RegistryException($"{registry.Target.Host}/{registry.Target.Repository}: the tag list is not JSON ({ex.Message})", ex);
        }
    }

    private static async Task DeleteAsync(RegistryPusher registry, string path, CancellationToken ct)
    {
        var client = registry.Client;
        using var response = await client.SendAsync(new RegistryRequest(HttpMethod.Delete, new Uri(client.BaseUri, path))
        {
            Answers = [HttpStatusCode.NotFound, HttpStatusCode.Accepted],
        }, ct);
    }

    private static Uri Location(RegistryPusher registry, HttpResponseMessage response, string what)
    {
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is not { } location)
        {
            throw new RegistryException($"{what}: the registry answered {(int)response.StatusCode} without an upload location");
        }
        var absolute = location.IsAbsoluteUri ? location : new Uri(registry.Client.BaseUri, location);
        if (!registry.Client.SchemeAllowed(absolute))
        {
            throw new RegistryException($"{what}: refusing the upload location {absolute.Scheme}://{absolute.Authority}");
        }
        return absolute;
    }

    /// <summary>Reports every read as upload progress (it resets the client's stall timeout).</summary>
    private sealed class ProgressStream(Stream inner, Action progress) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            progress();
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            progress();
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
