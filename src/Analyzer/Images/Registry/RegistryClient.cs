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
    private readonly IReadOnlyList<string> _scopes;
    private AuthenticationHeaderValue? _authorization;

    /// <param name="scopes">Token scopes asked for besides the challenge's (a pusher's <c>pull,push</c> and mount sources); pull of this repository when null.</param>
    public RegistryClient(RegistryReference reference, RegistryOptions options, HttpMessageHandler? handler = null, IReadOnlyList<string>? scopes = null)
    {
        _reference = reference;
        _scopes = scopes ?? [$"repository:{reference.Repository}:pull"];
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
        BaseUri = _base;
        _http = new HttpClient(handler ?? options.CreateHandler?.Invoke() ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.Timeout }, disposeHandler: true)
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan, // per-request and per-read timeouts are ours
        };
    }

    /// <summary><c>scheme://host/v2/repository/</c>: where this client's requests go.</summary>
    public Uri BaseUri { get; }

    /// <summary>True when plain HTTP may reach <paramref name="uri"/> (an upload location the registry hands back).</summary>
    internal bool SchemeAllowed(Uri uri) => uri.Scheme == Uri.UriSchemeHttps
        || uri.Scheme == Uri.UriSchemeHttp && (_options.Insecure && IsLoopback(uri.Authority) || PlainHttpAllowed(uri.Authority));

    internal TimeSpan Timeout => _options.Timeout;

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

    private const int MaxTokenResponseBytes = 64 * 1024;

    internal async Task<byte[]> ReadCappedAsync(HttpResponseMessage response, int maxBytes, string what, CancellationToken ct)
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

    private Task<HttpResponseMessage> SendAsync(Uri uri, string[] accept, CancellationToken ct, long? rangeFrom = null, HttpMethod? method = null) =>
        SendAsync(new RegistryRequest(method ?? HttpMethod.Get, uri) { Accept = accept, RangeFrom = rangeFrom }, ct);

    /// <summary>
    /// Sends with auth, retries and redirects (GET and HEAD only). A request whose body cannot be sent twice is
    /// never retried: its caller starts over. Statuses in <see cref="RegistryRequest.Answers"/> are returned, not thrown.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(RegistryRequest request, CancellationToken ct)
    {
        var (uri, accept, rangeFrom, method) = (request.Uri, request.Accept, request.RangeFrom, request.Method);
        var authRetried = false;
        for (var attempt = 0; ; attempt++)
        {
            HttpResponseMessage response;
            try
            {
                response = await SendFollowingRedirectsAsync(uri, accept, rangeFrom, method, request.Content, ct);
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or IOException && !ct.IsCancellationRequested)
            {
                if (attempt >= _options.MaxRetries || !request.Replayable)
                {
                    throw new RegistryException($"{_reference}: {uri.AbsolutePath}: {ex.Message} (after {attempt + 1} attempts)", ex);
                }
                await Task.Delay(Backoff(attempt, null), ct);
                continue;
            }

            if (request.Answers.Contains(response.StatusCode))
            {
                return response;
            }
            if (response.StatusCode == HttpStatusCode.Unauthorized && !authRetried && request.Replayable)
            {
                authRetried = true;
                var challenge = response.Headers.WwwAuthenticate.FirstOrDefault();
                response.Dispose();
                await AuthenticateAsync(challenge, ct);
                attempt--;
                continue;
            }
            if ((response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500) && attempt < _options.MaxRetries && request.Replayable)
            {
                var delay = Backoff(attempt, response.Headers.RetryAfter);
                response.Dispose();
                await Task.Delay(delay, ct);
                continue;
            }
            if (!response.IsSuccessStatusCode)
            {
                var status = (int)response.StatusCode;
                var (code, detail) = await RegistryErrorBody.ReadAsync(response, ct);
                response.Dispose();
                if (code is not null && request.RetriedErrorCodes.Contains(code) && attempt < _options.MaxRetries && request.Replayable)
                {
                    await Task.Delay(Backoff(attempt, null), ct);
                    continue;
                }
                var hint = status switch
                {
                    401 => " (authentication failed; check --creds or the docker auth file)",
                    403 => " (access denied)",
                    404 => " (not found)",
                    _ => "",
                };
                throw new RegistryException($"{_reference}: {method.Method} {uri.AbsolutePath} answered {status}{hint}{detail}");
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

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(Uri uri, string[] accept, long? rangeFrom, HttpMethod method, Func<Action, HttpContent>? content, CancellationToken ct)
    {
        var current = uri;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // A body being sent keeps the request alive: the timeout counts from its last progress, not from the start.
            using var request = new HttpRequestMessage(method, current) { Content = content?.Invoke(() => timeout.CancelAfter(_options.Timeout)) };
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
            // Uploads are not redirected: a body sent once is not sent again somewhere else.
            if ((int)response.StatusCode is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location && (method == HttpMethod.Get || method == HttpMethod.Head))
            {
                if (method == HttpMethod.Head && current.Authority == _base.Authority)
                {
                    // The registry hands the blob to storage: it grants access (URLs signed for GET refuse HEAD).
                    response.Dispose();
                    return new HttpResponseMessage(HttpStatusCode.OK);
                }
                response.Dispose();
                current = location.IsAbsoluteUri ? location : new Uri(current, location);
                if (!SchemeAllowed(current))
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
        // The challenge names what this request needs; the client's own scopes let one token serve the whole push.
        var scopes = _scopes.ToList();
        if (parameters.TryGetValue("scope", out var s))
        {
            scopes.AddRange(s.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        foreach (var scope in scopes.Distinct(StringComparer.Ordinal))
        {
            query.Append(query.Length > 0 ? "&" : "").Append("scope=").Append(Uri.EscapeDataString(scope));
        }
        var tokenUri = new UriBuilder(realmUri) { Query = query.ToString() }.Uri;

        using var request = new HttpRequestMessage(HttpMethod.Get, tokenUri);
        request.Headers.Authorization = Basic();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            // Headers only, then a capped read: a hostile realm may stream an endless body.
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new RegistryException($"{_reference}: token service {realmUri.Authority} answered {(int)response.StatusCode}");
            }
            var body = await ReadCappedAsync(response, MaxTokenResponseBytes, $"token response from {realmUri.Authority}", timeout.Token);
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
