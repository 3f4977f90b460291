using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>
/// The OCI distribution API for one repository: challenge-driven auth (anonymous, basic, bearer
/// token), retries with backoff on 429/5xx and network errors, timeouts, and redirects followed
/// by hand so the Authorization header never reaches another host.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private const int MaxRedirects = 5;
    private readonly HttpClient _http;
    private readonly RegistryReference _reference;
    private readonly RegistryOptions _options;
    private readonly RegistryCredentials? _credentials;
    private readonly Uri _base;
    private AuthenticationHeaderValue? _authorization;

    public RegistryClient(RegistryReference reference, RegistryOptions options, HttpMessageHandler? handler = null)
    {
        _reference = reference;
        _options = options;
        _credentials = options.Credentials ?? DockerAuthFile.Find(options.AuthFiles, reference.Host);
        var scheme = "https";
        if (PlainHttpAllowed(reference.Host))
        {
            scheme = "http";
        }
        else if (options.Insecure)
        {
            if (!IsLoopback(reference.Host))
            {
                throw new RegistryException($"{reference.Host}: --insecure (plain HTTP) is only allowed for loopback registries");
            }
            scheme = "http";
        }
        _base = new Uri($"{scheme}://{reference.Host}/v2/{reference.Repository}/");
        _http = new HttpClient(handler ?? options.CreateHandler?.Invoke() ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.Timeout }, disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per-request and per-read timeouts are ours
        };
    }

    private bool PlainHttpAllowed(string hostAndPort) => _options.PlainHttpHosts.Contains(hostAndPort, StringComparer.OrdinalIgnoreCase);

    public static bool IsLoopback(string hostAndPort)
    {
        var host = hostAndPort.StartsWith('[') ? hostAndPort[1..hostAndPort.IndexOf(']', StringComparison.Ordinal)] : hostAndPort.Split(':')[0];
        return host == "localhost" || IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary>GETs a manifest; returns its bytes (capped), media type and digest header.</summary>
    public async Task<(byte[] Body, string? MediaType, string? Digest)> GetManifestAsync(string reference, int maxBytes, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri(_base, "manifests/" + reference), MediaTypes.AllManifestTypes, ct);
        var body = await ReadCappedAsync(response, maxBytes, $"manifest {reference}", ct);
        var digest = response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.FirstOrDefault() : null;
        return (body, response.Content.Headers.ContentType?.MediaType, digest);
    }

    public async Task<byte[]> GetSmallBlobAsync(string digest, int maxBytes, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri(_base, "blobs/" + digest), ["*/*"], ct);
        return await ReadCappedAsync(response, maxBytes, $"blob {digest}", ct);
    }

    /// <summary>
    /// Opens a blob for streaming; reads that stall longer than the timeout fail, and a download cut
    /// midway resumes from the next byte (<paramref name="expectedSize"/> from the manifest, or -1).
    /// </summary>
    public async Task<Stream> OpenBlobAsync(string digest, long expectedSize, CancellationToken ct)
    {
        var what = $"{_reference.Host}: blob {digest}";
        var (first, _) = await OpenBlobAtAsync(digest, 0, what, ct);
        return new ResumableBlobStream(first, (offset, token) => OpenBlobAtAsync(digest, offset, what, token), what, expectedSize, _options.MaxResumes, attempt => Backoff(attempt, null));
    }

    /// <summary>
    /// Asks the registry, with this client's credentials, whether it would serve a blob (HEAD, no body).
    /// A copy kept from another pull proves the content, not that this client may read it.
    /// </summary>
    public async Task EnsureBlobAccessAsync(string digest, CancellationToken ct)
    {
        using var response = await SendAsync(new Uri(_base, "blobs/" + digest), ["*/*"], ct, method: HttpMethod.Head);
    }

    private async Task<(Stream Body, long Skip)> OpenBlobAtAsync(string digest, long offset, string what, CancellationToken ct)
    {
        var response = await SendAsync(new Uri(_base, "blobs/" + digest), ["*/*"], ct, offset > 0 ? offset : null);
        try
        {
            long skip = 0;
            if (offset > 0)
            {
                if (response.StatusCode == HttpStatusCode.PartialContent)
                {
                    if (response.Content.Headers.ContentRange is { } range && range.From != offset)
                    {
                        throw new RegistryException($"{what}: asked for bytes from {offset} but the registry sent {range}");
                    }
                }
                else
                {
                    skip = offset; // the registry ignored the range: the whole blob again
                }
            }
            var body = await response.Content.ReadAsStreamAsync(ct);
            return (new TimeoutReadStream(body, _options.Timeout, what, response), skip);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new RegistryException($"{_reference}: {what} is {response.Content.Headers.ContentLength} bytes, over the {maxBytes}-byte limit");
        }
        await using var body = new TimeoutReadStream(await response.Content.ReadAsStreamAsync(ct), _options.Timeout, $"{_reference}: {what}", null);
        var buffer = new MemoryStream();
        var chunk = new byte[16384];
        int n;
        while ((n = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + n > maxBytes)
            {
                throw new RegistryException($"{_reference}: {what} is over the {maxBytes}-byte limit");
            }
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, string[] accept, CancellationToken ct, long? rangeFrom = null, HttpMethod? method = null)
    {
        var authRetried = false;
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await SendFollowingRedirectsAsync(uri, accept, rangeFrom, method ?? HttpMethod.Get, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException && !ct.IsCancellationRequested)
            {
                if (attempt >= _options.MaxRetries)
                {
                    throw new RegistryException($"{_reference}: {uri.AbsolutePath}: {ex.Message} (after {attempt + 1} attempts)", ex);
                }
                await Task.Delay(Backoff(attempt, null), ct);
                continue;
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && !authRetried)
            {
                authRetried = true;
                var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
                response.Dispose();
                await AuthenticateAsync(challenge, ct);
                attempt--;
                continue;
            }
            if ((response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500) && attempt < _options.MaxRetries)
            {
                var delay = Backoff(attempt, response.Headers.RetryAfter);
                response.Dispose();
                await Task.Delay(delay, ct);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                response.Dispose();
                var hint = status switch
                {
                    401 => " (authentication failed; check --creds or the docker auth file)",
                    403 => " (access denied)",
                    404 => " (not found)",
                    _ => "",
                };
                throw new RegistryException($"{_reference}: {(method ?? HttpMethod.Get).Method} {uri.AbsolutePath} answered {status}{hint}");
            }
            return response;
        }
    }

    private TimeSpan Backoff(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        var requested = retryAfter?.Delta ?? (retryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        var exponential = _options.RetryBaseDelay * Math.Pow(2, attempt);
        var delay = requested is { } r && r > exponential ? r : exponential;
        var cap = TimeSpan.FromSeconds(30);
        return delay > cap ? cap : delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(Uri uri, string[] accept, long? rangeFrom, HttpMethod method, CancellationToken ct)
    {
        var current = uri;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var request = new HttpRequestMessage(method, current);
            foreach (var type in accept)
            {
                request.Headers.Accept.ParseAdd(type);
            }
            if (rangeFrom is { } from)
            {
                request.Headers.Range = new RangeHeaderValue(from, null);
            }
            // Credentials belong to the registry; a redirect to blob storage never sees them.
            if (_authorization is not null && current.Authority == _base.Authority)
            {
                request.Headers.Authorization = _authorization;
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.Timeout);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"no answer within {_options.Timeout.TotalSeconds:0.#} s", ex);
            }
            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
            {
                if (method == HttpMethod.Head && current.Authority == _base.Authority)
                {
                    // The registry hands the blob to storage: it grants access (URLs signed for GET refuse HEAD).
                    response.Dispose();
                    return new HttpResponseMessage(HttpStatusCode.OK);
                }
                response.Dispose();
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (current.Scheme != Uri.UriSchemeHttps && !(current.Scheme == Uri.UriSchemeHttp && (_options.Insecure && IsLoopback(current.Authority) || PlainHttpAllowed(current.Authority))))
                {
                    throw new RegistryException($"{_reference}: refusing redirect to {current.Scheme}://{current.Authority}");
                }
                continue;
            }
            return response;
        }
        throw new RegistryException($"{_reference}: more than {MaxRedirects} redirects for {uri.AbsolutePath}");
    }

    private async Task AuthenticateAsync(AuthenticationHeaderValue? challenge, CancellationToken ct)
    {
        if (challenge is null)
        {
            throw new RegistryException($"{_reference}: 401 without a WWW-Authenticate challenge");
        }
        if (challenge.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            _authorization = Basic() ?? throw new RegistryException($"{_reference}: the registry requires credentials (--creds user:pass or a docker auth file)");
            return;
        }
        if (!challenge.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            throw new RegistryException($"{_reference}: unsupported authentication scheme {challenge.Scheme}");
        }
        var parameters = ParseChallenge(challenge.Parameter ?? "");
        if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUri))
        {
            throw new RegistryException($"{_reference}: bearer challenge without a usable realm");
        }
        var query = new StringBuilder();
        if (parameters.TryGetValue("service", out var service))
        {
            query.Append("service=").Append(Uri.EscapeDataString(service));
        }
        var scope = parameters.TryGetValue("scope", out var s) ? s : $"repository:{_reference.Repository}:pull";
        query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(scope));
        var tokenUri = new UriBuilder(realmUri) { Query = query.ToString() }.Uri;

        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUri);
        request.Headers.Authorization = Basic();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new RegistryException($"{_reference}: token service {realmUri.Authority} answered {(int)response.StatusCode}");
            }
            var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            using var doc = JsonDocument.Parse(body);
            var token = doc.RootElement.TryGetProperty("token", out var t) ? t.GetString()
                : doc.RootElement.TryGetProperty("access_token", out var a) ? a.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                throw new RegistryException($"{_reference}: token service answered without a token");
            }
            _authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw new RegistryException($"{_reference}: token request to {realmUri.Authority} failed ({ex.Message})", ex);
        }
    }

    private AuthenticationHeaderValue? Basic() =>
        _credentials is null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{_credentials.Username}:{_credentials.Password}")));

    internal static Dictionary<string, string> ParseChallenge(string parameter)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < parameter.Length)
        {
            while (i < parameter.Length && parameter[i] is ' ' or ',')
            {
                i++;
            }
            var eq = parameter.IndexOf('=', i);
            if (eq < 0)
            {
                break;
            }
            var key = parameter[i..eq].Trim();
            i = eq + 1;
            string value;
            if (i < parameter.Length && parameter[i] == '"')
            {
                var end = parameter.IndexOf('"', i + 1);
                end = end < 0 ? parameter.Length : end;
                value = parameter[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = parameter.IndexOf(',', i);
                end = end < 0 ? parameter.Length : end;
                value = parameter[i..end].Trim();
                i = end;
            }
            result[key] = value;
        }
        return result;
    }

    public void Dispose() => _http.Dispose();
}
