namespace LayerLens.Web.Storage;

/// <summary>
/// Where artefacts are stored (<c>LayerLens:Storage:*</c>): the data directory (<c>Local</c>, default) or an OCI
/// registry several machines share (<c>Registry</c>, with <c>Url</c>, <c>Username</c>, <c>Password</c> and
/// <c>Prefix</c>, the repository namespace under which each workspace gets its own repositories).
/// </summary>
public sealed record StorageSettings
{
    public StorageProvider Provider { get; init; } = StorageProvider.Local;

    public Uri? RegistryUrl { get; init; }

    public string? RegistryUsername { get; init; }

    public string? RegistryPassword { get; init; }

    public string RegistryPrefix { get; init; } = "layerlens";

    public static StorageSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection("LayerLens:Storage");
        var providerText = section.GetValue<string?>("Provider");
        var provider = string.IsNullOrWhiteSpace(providerText) ? StorageProvider.Local
            : Enum.TryParse<StorageProvider>(providerText.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
            : throw new InvalidOperationException($"LayerLens:Storage:Provider must be Local or Registry; got '{providerText}'");
        var urlText = section.GetValue<string?>("Registry:Url");
        Uri? url = null;
        if (provider == StorageProvider.Registry)
        {
            if (string.IsNullOrWhiteSpace(urlText) || !Uri.TryCreate(urlText.Trim(), UriKind.Absolute, out url)
                || url.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(url.UserInfo))
            {
                throw new InvalidOperationException("LayerLens:Storage:Provider is Registry but LayerLens:Storage:Registry:Url is not an http(s) URL without credentials (e.g. https://registry.internal:5000)");
            }
        }
        var prefix = section.GetValue<string?>("Registry:Prefix")?.Trim().Trim('/');
        if (!string.IsNullOrEmpty(prefix) && !System.Text.RegularExpressions.Regex.IsMatch(prefix, "^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$"))
        {
            throw new InvalidOperationException($"LayerLens:Storage:Registry:Prefix '{prefix}' is not a repository path (lower-case letters, digits, . _ - and /)");
        }
        return new StorageSettings
        {
            Provider = provider,
            RegistryUrl = url,
            RegistryUsername = section.GetValue<string?>("Registry:Username"),
            RegistryPassword = section.GetValue<string?>("Registry:Password"),
            RegistryPrefix = string.IsNullOrEmpty(prefix) ? "layerlens" : prefix,
        };
    }
}
