using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>How a blob reached the registry.</summary>
public enum BlobPushOutcome
{
    /// <summary>The repository already had it (HEAD answered 200): nothing sent.</summary>
    AlreadyPresent,

    /// <summary>Mounted from another repository of the same registry: nothing sent.</summary>
    Mounted,

    /// <summary>Streamed up (POST, then PUT with the digest).</summary>
    Uploaded,
}

public sealed record BlobPush(string Digest, long Size, BlobPushOutcome Outcome, long BytesUploaded);

/// <summary>A manifest stored: its digest (the registry's answer checked against the bytes) and whether the registry indexed its subject.</summary>
public sealed record ManifestPush(string Digest, bool SubjectIndexed);

/// <summary>
/// The push half of the distribution API for one repository, over <see cref="RegistryClient"/>'s auth (token with
/// <c>pull,push</c>, basic), plain-HTTP rule, address guard (<see cref="RegistryOptions.CreateHandler"/>),
/// timeouts and bounded reads. Blobs are streamed, never held in memory; a blob the repository has is not sent,
/// one another repository of the registry has is mounted. Every digest the registry answers is checked.
/// </summary>
public sealed class RegistryPusher : IDisposable
{
    private const string DigestInvalid = "DIGEST_INVALID";
    private readonly RegistryOptions _options;
    private long _uploaded;

    /// <param name="mountSources">Repositories on the same registry whose blobs may be mounted (read access is asked for in the token).</param>
    public RegistryPusher(RegistryReference target, RegistryOptions options, IEnumerable<string>? mountSources = null, HttpMessageHandler? handler = null)
    {
        Target = target;
        _options = options;
        MountSources = (mountSources ?? []).Where(r => r != target.Repository).Distinct(StringComparer.Ordinal).ToList();
        List<string> scopes = [$"repository:{target.Repository}:pull,push", .. MountSources.Select(r => $"repository:{r}:pull")];
        Client = new RegistryClient(target, options, handler, scopes);
    }

    public RegistryReference Target { get; }

    public IReadOnlyList<string> MountSources { get; }

    /// <summary>Blob bytes actually sent by this pusher so far.</summary>
    public long BytesUploaded => Interlocked.Read(ref _uploaded);

    internal RegistryClient Client { get; }

    /// <summary>HEAD /v2/&lt;name&gt;/blobs/&lt;digest&gt;: true when the repository serves the blob.</summary>
    public async Task<bool> BlobExistsAsync(string digest, CancellationToken ct)
    {
        CheckDigest(digest, "blob");
        using var response = await Client.SendAsync(new RegistryRequest(HttpMethod.Head, new Uri(Client.BaseUri, "blobs/" + digest)) { Answers = [HttpStatusCode.NotFound] }, ct);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>Pushes a blob read from a stream given once (sent once: a failure is not retried).</summary>
    public Task<BlobPush> PushBlobAsync(string digest, long size, Stream content, CancellationToken ct, string? mountFrom = null)
    {
        var opened = false;
        return PushBlobAsync(digest, size, _ =>
        {
            if (opened)
            {
                throw new RegistryException($"{Target}: blob {digest}: the upload failed and its stream cannot be read again");
            }
            opened = true;
            return Task.FromResult(content);
        }, ct, mountFrom, leaveOpen: true);
    }

    /// <summary>
    /// Pushes a blob unless the repository has it: HEAD, then a mount from <paramref name="mountFrom"/> (or the
    /// first mount source) when given, then POST + PUT streaming <paramref name="open"/>'s bytes (reopened when
    /// the network fails midway). The registry checks the digest; its answer is checked too.
    /// </summary>
    public async Task<BlobPush> PushBlobAsync(string digest, long size, Func<CancellationToken, Task<Stream>> open, CancellationToken ct, string? mountFrom = null, bool leaveOpen = false)
    {
        CheckDigest(digest, "blob");
        if (size < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "a blob's size is needed to stream it");
        }
        var what = $"{Target}: blob {digest}";
        try
        {
            if (await BlobExistsAsync(digest, ct))
            {
                return new BlobPush(digest, size, BlobPushOutcome.AlreadyPresent, 0);
            }
            var from = mountFrom ?? (MountSources.Count > 0 ? MountSources[0] : null);
            for (var attempt = 0; ; attempt++)
            {
                var query = from is not null && from != Target.Repository ? $"?mount={Uri.EscapeDataString(digest)}&from={Uri.EscapeDataString(from)}" : "";
                Uri location;
                using (var started = await Client.SendAsync(new RegistryRequest(HttpMethod.Post, new Uri(Client.BaseUri, "blobs/uploads/" + query)), ct))
                {
                    if (started.StatusCode == HttpStatusCode.Created)
                    {
                        CheckAnsweredDigest(started, digest, what);
                        return new BlobPush(digest, size, BlobPushOutcome.Mounted, 0);
                    }
                    location = UploadLocation(started, what);
                }
                from = null; // the mount was declined; a retry only uploads
                var sent = 0L;
                try
                {
                    var put = new Uri(location + (location.Query.Length > 0 ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest));
                    var source = await open(ct);
                    try
                    {
                        using var done = await Client.SendAsync(new RegistryRequest(HttpMethod.Put, put)
                        {
                            Replayable = false,
                            Content = progress => Body(new CountingStream(source, size, n => { sent += n; Interlocked.Add(ref _uploaded, n); progress(); }), size),
                        }, ct);
                        CheckAnsweredDigest(done, digest, what);
                        return new BlobPush(digest, size, BlobPushOutcome.Uploaded, sent);
                    }
                    finally
                    {
                        if (!leaveOpen)
                        {
                            await source.DisposeAsync();
                        }
                    }
                }
                catch (RegistryException ex) when (ex.InnerException is HttpRequestException or IOException or TimeoutException && attempt < _options.MaxRetries && !leaveOpen)
                {
                    // Cut midway: the upload session is gone; start a new one from the first byte.
                }
            }
        }
        catch (RegistryException ex) when (!ex.Message.Contains(digest, StringComparison.Ordinal))
        {
            throw new RegistryException($"{what}: {ex.Message}", ex);
        }
    }

    /// <summary>HEAD /v2/&lt;name&gt;/manifests/&lt;reference&gt;: true when the tag or digest exists.</summary>
    public async Task<bool> ManifestExistsAsync(string reference, CancellationToken ct)
    {
        CheckReference(reference);
        using var response = await Client.SendAsync(new RegistryRequest(HttpMethod.Head, new Uri(Client.BaseUri, "manifests/" + reference))
        {
            Accept = MediaTypes.AllManifestTypes,
            Answers = [HttpStatusCode.NotFound],
        }, ct);
        return response.StatusCode != HttpStatusCode.NotFound;
    }

    /// <summary>
    /// PUT /v2/&lt;name&gt;/manifests/&lt;reference&gt; (a tag, or the bytes' own digest). The registry's
    /// Docker-Content-Digest must be the bytes' sha256, or the push is refused as the registry's error.
    /// </summary>
    public async Task<ManifestPush> PutManifestAsync(string reference, string mediaType, byte[] bytes, CancellationToken ct)
    {
        CheckReference(reference);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        var what = $"{Target.Host}/{Target.Repository}: manifest {digest}";
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest)
        {
            throw new RegistryException($"{what}: pushed by digest {reference}, but that is not its content's digest");
        }
        using var response = await Client.SendAsync(new RegistryRequest(HttpMethod.Put, new Uri(Client.BaseUri, "manifests/" + reference))
        {
            Content = _ => new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(mediaType) } },
            // The digest was checked above, so DIGEST_INVALID is docker-registry's race, not these bytes: its filesystem
            // storage rewrites a blob's repository link in place whenever another upload of that blob commits (two
            // workers publishing identical files), and a manifest check reading the link meanwhile finds it empty.
            RetriedErrorCodes = [DigestInvalid],
        }, ct);
        CheckAnsweredDigest(response, digest, what);
        return new ManifestPush(digest, response.Headers.Contains("OCI-Subject"));
    }

    /// <summary>GETs a manifest back, capped at <paramref name="maxBytes"/>; its digest is computed and checked against what was asked and answered.</summary>
    public async Task<(byte[] Body, string? MediaType, string Digest)> GetManifestAsync(string reference, int maxBytes, CancellationToken ct)
    {
        CheckReference(reference);
        var (body, mediaType, answered) = await Client.GetManifestAsync(reference, maxBytes, ct);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(body));
        if (reference.StartsWith("sha256:", StringComparison.Ordinal) && reference != digest || answered is not null && answered != digest)
        {
            throw new RegistryException($"{Target.Host}/{Target.Repository}: manifest {reference}: the registry sent content with digest {digest} (it said {answered ?? reference})");
        }
        return (body, mediaType, digest);
    }

    public void Dispose() => Client.Dispose();

    private static StreamContent Body(Stream stream, long size) => new(stream, 1 << 16)
    {
        Headers = { ContentLength = size, ContentType = new MediaTypeHeaderValue("application/octet-stream") },
    };

    private Uri UploadLocation(HttpResponseMessage response, string what)
    {
        if (response.StatusCode != HttpStatusCode.Accepted || response.Headers.Location is not { } location)
        {
            throw new RegistryException($"{what}: starting an upload answered {(int)response.StatusCode} without an upload location");
        }
        var absolute = location.IsAbsoluteUri ? location : new Uri(Client.BaseUri, location);
        if (!Client.SchemeAllowed(absolute))
        {
            throw new RegistryException($"{what}: refusing the upload location {absolute.Scheme}://{absolute.Authority}");
        }
        return absolute;
    }

    private static void CheckAnsweredDigest(HttpResponseMessage response, string digest, string what)
    {
        if (response.Headers.TryGetValues("Docker-Content-Digest", out var values) && values.FirstOrDefault() is { } answered && answered != digest)
        {
            throw new RegistryException($"{what}: the registry answered Docker-Content-Digest {Printable(answered)}, not the content's digest; refusing its answer");
        }
    }

    private static string Printable(string text) => new([.. text.Take(80).Select(c => char.IsControl(c) ? ' ' : c)]);

    private void CheckDigest(string digest, string what)
    {
        if (!Digests.TryParseSha256(digest, out _))
        {
            throw new RegistryException($"{Target}: {what} '{Printable(digest)}' is not a sha256 digest");
        }
    }

    private void CheckReference(string reference)
    {
        if (reference.StartsWith("sha256:", StringComparison.Ordinal))
        {
            CheckDigest(reference, "manifest");
        }
        else if (reference.Length is 0 or > 128 || reference[0] is '.' or '-' || reference.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-')))
        {
            throw new RegistryException($"{Target.Host}/{Target.Repository}: '{Printable(reference)}' is not a valid tag");
        }
    }
}
