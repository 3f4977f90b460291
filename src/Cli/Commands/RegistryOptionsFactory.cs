using LayerLens.Analyzer.Images.Registry;

namespace LayerLens.Cli.Commands;

/// <summary>Registry credentials from --creds, LAYERLENS_REGISTRY_USERNAME/PASSWORD, or the docker auth files.</summary>
internal static class RegistryOptionsFactory
{
    public static RegistryOptions Create(string? creds, bool insecure)
    {
        RegistryCredentials? credentials = null;
        if (creds is not null)
        {
            var colon = creds.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException("--creds must be user:password");
            }
            credentials = new RegistryCredentials(creds[..colon], creds[(colon + 1)..]);
        }
        else if (Environment.GetEnvironmentVariable("LAYERLENS_REGISTRY_USERNAME") is { Length: > 0 } user)
        {
            credentials = new RegistryCredentials(user, Environment.GetEnvironmentVariable("LAYERLENS_REGISTRY_PASSWORD") ?? "");
        }
        return new RegistryOptions { Credentials = credentials, Insecure = insecure, AuthFiles = DockerAuthFile.DefaultFiles() };
    }
}
