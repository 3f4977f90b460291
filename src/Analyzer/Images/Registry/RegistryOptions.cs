namespace LayerLens.Analyzer.Images.Registry;

public sealed record RegistryCredentials(string Username, string Password);

/// <summary>How to reach registries: credentials, plain HTTP for loopback test registries, timeouts and retries.</summary>
public sealed record RegistryOptions
{
    /// <summary>Credentials given explicitly (<c>--creds</c>); otherwise the docker config file is consulted.</summary>
    public RegistryCredentials? Credentials { get; init; }

    /// <summary>Path of a docker-style auth file (<c>REGISTRY_AUTH_FILE</c>, <c>~/.docker/config.json</c>).</summary>
    public IReadOnlyList<string> AuthFiles { get; init; } = [];

    /// <summary>Allow plain HTTP, only for loopback hosts.</summary>
    public bool Insecure { get; init; }

    /// <summary>Registries (host:port) a service's configuration lets be reached over plain HTTP, loopback or not.</summary>
    public IReadOnlyList<string> PlainHttpHosts { get; init; } = [];

    /// <summary>Longest wait for a response or for the next bytes of a body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Makes the HTTP handler for registry connections (a service's address guard); a plain one when null.</summary>
    public Func<HttpMessageHandler>? CreateHandler { get; init; }

    /// <summary>Keeps pulled layer blobs for the next analysis of the same image (a service's blob store); none when null.</summary>
    public IBlobCache? BlobCache { get; init; }

    public int MaxRetries { get; init; } = 4;

    /// <summary>How many times one blob download cut midway is picked up again (Range: bytes=N-).</summary>
    public int MaxResumes { get; init; } = 5;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
}
