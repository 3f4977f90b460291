using System.Globalization;
using System.Text;

namespace LayerLens.TestInfrastructure.Registry;

/// <summary>Writes the docker-registry (distribution 2.x) configuration file for one test registry.</summary>
internal static class RegistryConfig
{
    public const string TokenService = "layerlens-test-registry";
    public const string TokenIssuer = "layerlens-test-token-issuer";

    public static string Render(int port, string storage, string? htpasswdFile, TokenSettings? token)
    {
        var yaml = new StringBuilder();
        yaml.Append(CultureInfo.InvariantCulture, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {storage}
              delete:
                enabled: true
              maintenance:
                uploadpurging:
                  enabled: false
            http:
              addr: 127.0.0.1:{port}
              secret: {Guid.NewGuid():N}
            health:
              storagedriver:
                enabled: false

            """);
        if (htpasswdFile is not null)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                auth:
                  htpasswd:
                    realm: layerlens-test
                    path: {htpasswdFile}

                """);
        }
        else if (token is not null)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                auth:
                  token:
                    realm: {token.Realm}
                    service: {TokenService}
                    issuer: {TokenIssuer}
                    rootcertbundle: {token.RootCertificateBundle}

                """);
        }

        return yaml.ToString();
    }

    internal sealed record TokenSettings(Uri Realm, string RootCertificateBundle);
}
