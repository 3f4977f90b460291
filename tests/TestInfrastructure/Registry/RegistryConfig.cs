using System.Globalization;
using System.Text;

namespace LayerLens.TestInfrastructure.Registry;

/// <summary>Writes the docker-registry (distribution 2.x) configuration file for one test registry.</summary>
internal static class RegistryConfig
{
    public const string TokenService = "layerlens-test-registry";
    public const string TokenIssuer = "layerlens-test-token-issuer";

    public static string Render(int port, string storage, string? htpasswdFile, TokenSettings? token, RegistryOptions? options = null)
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

        if (options?.NotificationUrl is { } url)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                notifications:
                  endpoints:
                    - name: layerlens
                      url: {url}
                      timeout: 5s
                      threshold: 3
                      backoff: 1s

                """);
            if (options.NotificationAuthorization is { } authorization)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"""
                          headers:
                            Authorization: ["{authorization}"]

                    """);
            }
        }

        return yaml.ToString();
    }

    internal sealed record TokenSettings(Uri Realm, string RootCertificateBundle);
}
