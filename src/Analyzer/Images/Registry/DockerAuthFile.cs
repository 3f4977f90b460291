using System.Text;
using System.Text.Json;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>Reads <c>auths.&lt;host&gt;.auth</c> (base64 user:password) from docker-style config files.</summary>
public static class DockerAuthFile
{
    public static RegistryCredentials? Find(IEnumerable<string> files, string host)
    {
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
                if (!doc.RootElement.TryGetProperty("auths", out var auths) || auths.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                foreach (var entry in auths.EnumerateObject())
                {
                    if (!Matches(entry.Name, host) || !entry.Value.TryGetProperty("auth", out var auth) || auth.GetString() is not { } encoded)
                    {
                        continue;
                    }
                    var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                    var colon = decoded.IndexOf(':', StringComparison.Ordinal);
                    if (colon > 0)
                    {
                        return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or FormatException or IOException)
            {
                throw new RegistryException($"{file}: unreadable auth file ({ex.Message})", ex);
            }
        }
        return null;
    }

    private static bool Matches(string key, string host)
    {
        var k = key.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).TrimEnd('/');
        var slash = k.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            k = k[..slash];
        }
        return k == host || host == "registry-1.docker.io" && k is "index.docker.io" or "docker.io";
    }

    /// <summary>REGISTRY_AUTH_FILE, then ~/.docker/config.json (or $DOCKER_CONFIG/config.json).</summary>
    public static IReadOnlyList<string> DefaultFiles()
    {
        var files = new List<string>();
        if (Environment.GetEnvironmentVariable("REGISTRY_AUTH_FILE") is { Length: > 0 } authFile)
        {
            files.Add(authFile);
        }
        var dockerConfig = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        files.Add(Path.Combine(dockerConfig is { Length: > 0 } ? dockerConfig : Path.Combine(home, ".docker"), "config.json"));
        return files;
    }
}
