using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// A notification envelope with many pushes resolves each event's registry host through the workspace's
/// mapping, which is read from the database once for the whole envelope.
/// </summary>
[Collection(SqlLogCollection.Name)]
public sealed class RegistryHookMappingQueryTests(SqlLogApp app)
{
    private static string NewDigest() => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Guid.NewGuid().ToByteArray()));

    private static object Push(string host, string repository, string digest, string? tag = null) => new
    {
        id = Guid.NewGuid().ToString(),
        action = "push",
        target = new
        {
            mediaType = "application/vnd.oci.image.manifest.v1+json",
            digest,
            repository,
            url = $"http://{host}/v2/{repository}/manifests/{digest}",
            tag,
        },
    };

    [Fact]
    public async Task An_envelope_of_pushes_to_mapped_hosts_starts_pulls_from_the_mapped_hosts_after_one_mapping_query()
    {
        const string Unmapped = "127.0.0.3:9";
        var pushes = new (string Host, string Repository, string Digest, string Expected)[]
        {
            (SqlLogApp.MappedRegistry, "team/a", NewDigest(), SqlLogApp.MappedRegistryPullHost),
            (SqlLogApp.MappedRegistry, "team/b", NewDigest(), SqlLogApp.MappedRegistryPullHost),
            (SqlLogApp.MappedMirror, "team/c", NewDigest(), SqlLogApp.MappedMirrorPullHost),
            (SqlLogApp.MappedRegistry, "team/d", NewDigest(), SqlLogApp.MappedRegistryPullHost),
            (Unmapped, "team/e", NewDigest(), Unmapped),
        };
        var events = pushes.Select(p => Push(p.Host, p.Repository, p.Digest, "1")).ToList();
        // A layer upload and a pull in the same envelope start nothing.
        events.Add(new { id = "layer", action = "push", target = new { mediaType = "application/octet-stream", digest = NewDigest(), repository = "team/a", url = $"http://{SqlLogApp.MappedRegistry}/v2/team/a/blobs/x" } });
        events.Add(new { id = "pull", action = "pull", target = new { mediaType = "application/vnd.oci.image.manifest.v1+json", digest = pushes[0].Digest, repository = "team/a", url = $"http://{SqlLogApp.MappedRegistry}/v2/team/a/manifests/x" } });
        using var http = app.App.CreateClient();
        var offset = app.App.Log.Length;

        using var response = await http.PostAsync(new Uri("api/v1/hooks/registry", UriKind.Relative),
            new StringContent(JsonSerializer.Serialize(new { events }), Encoding.UTF8, "application/vnd.docker.distribution.events.v1+json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var started = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("analyses").EnumerateArray().Select(a => a.GetString()!).ToList();
        Assert.Equal(pushes.Length, started.Count);
        var references = new List<string>();
        foreach (var id in started)
        {
            var analysis = await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}", UriKind.Relative));
            references.Add(analysis.GetProperty("source").GetProperty("reference").GetString()!);
        }
        Assert.Equal(pushes.Select(p => $"{p.Expected}/{p.Repository}@{p.Digest}").Order(StringComparer.Ordinal), references.Order(StringComparer.Ordinal));

        var lastRead = $"/api/v1/analyses/{started[^1]}";
        var commands = await app.CommandsBeforeAsync(offset, c => c.RequestPath == lastRead);
        Assert.Single(commands, c => c.RequestPath == "/api/v1/hooks/registry" && c.Reads("RegistryHostMappings"));
    }
}
