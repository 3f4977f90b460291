using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Web.Tests.LayerCache;

namespace LayerLens.Web.Tests.Rebuilds;

/// <summary>
/// The Rebuild action with a registry destination, through the real app and a real docker-registry with htpasswd
/// auth: the image is pushed after the proof, the state names the digest skopeo reads back, and the push password
/// is in no file and no log line.
/// </summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class RegistryRebuildApiTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>, IAsyncLifetime
{
    internal static readonly SyntheticImage Image = new(
        new LayerTarBuilder().Dir("app").File("app/big.bin", new string('x', 40_000)).File("app/keep.txt", "keep").Build(),
        new LayerTarBuilder().Dir("app").File("app/big.bin", "small now").Build());

    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-rebuild-push-").FullName;
    private LayerCacheApp _app = null!;

    public async Task InitializeAsync() => _app = await LayerCacheApp.StartAsync([registry.Address]);

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    internal static async Task<string> UploadAsync(LayerCacheApp app, string dir)
    {
        var archive = Path.Combine(dir, "image.tar");
        Image.WriteDockerArchiveClassic(archive);
        var outcome = await app.UploadAsync(app.Alpha, await File.ReadAllBytesAsync(archive), "push-me");
        Assert.True(outcome.Status == "succeeded", outcome.Seen);
        return outcome.Id;
    }

    internal static async Task<JsonElement> WaitAsync(LayerCacheApp app, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var state = await app.Alpha.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}/rebuild", UriKind.Relative));
            if (state.GetProperty("status").GetString() is not ("queued" or "running"))
            {
                return state;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"rebuild of {id} still {state}:\n{app.App.Log}"));
            }
            await Task.Delay(100);
        }
    }

    private async Task<HttpResponseMessage> StartAsync(string id, object body) =>
        await _app.Alpha.PostAsJsonAsync(new Uri($"api/v1/analyses/{id}/rebuild", UriKind.Relative), body);

    [Fact]
    public async Task A_rebuild_pushed_to_the_registry_names_the_digest_skopeo_reads_back_and_stores_no_password()
    {
        var id = await UploadAsync(_app, _dir);
        var destination = $"{registry.Address}/rebuilt/app:slim";

        using (var started = await StartAsync(id, new { destination, username = registry.Username, password = registry.Password }))
        {
            Assert.True(started.StatusCode == HttpStatusCode.Accepted, $"{started.StatusCode}: {await started.Content.ReadAsStringAsync()}");
        }
        var done = await WaitAsync(_app, id);

        Assert.True(done.GetProperty("status").GetString() == "succeeded", done.ToString());
        var push = done.GetProperty("push");
        Assert.Equal(destination, push.GetProperty("reference").GetString());
        var digest = push.GetProperty("digest").GetString();
        Assert.Equal(done.GetProperty("report").GetProperty("manifestDigest").GetString(), digest);
        Assert.True(push.GetProperty("bytesUploaded").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, done.GetProperty("links").GetProperty("download").ValueKind);
        var raw = await registry.InspectAsync(destination, raw: true);
        Assert.Equal(digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw.StandardOutput.TrimEnd('\n')))));

        // The password went to the registry and nowhere else: not the state, not any file of the data directory (the
        // database and Hangfire's queue among them; lock files are empty and held open), not the log.
        Assert.DoesNotContain(registry.Password, _app.App.Log, StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(_app.App.DataDirectory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal) && new FileInfo(f).Length < 64 << 20))
        {
            Assert.False(File.ReadAllBytes(file).AsSpan().IndexOf(Encoding.UTF8.GetBytes(registry.Password)) >= 0, $"{file} holds the push password");
        }
    }

    [Fact]
    public async Task Wrong_credentials_fail_the_rebuild_clearly_and_tag_nothing()
    {
        var id = await UploadAsync(_app, _dir);
        var destination = $"{registry.Address}/denied/app:slim";

        using (var started = await StartAsync(id, new { destination, username = registry.Username, password = "wrong" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        }
        var done = await WaitAsync(_app, id);

        Assert.Equal("failed", done.GetProperty("status").GetString());
        Assert.Contains("401", done.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.NotEqual(0, (await registry.InspectAsync(destination, checkExitCode: false)).ExitCode);
    }
}

/// <summary>
/// The registry destination is a network target like a pull: on a server that does not allow private targets, a
/// loopback, private or metadata destination is refused with 400 when the rebuild is asked for — no connection,
/// no job, no state.
/// </summary>
public sealed class RegistryRebuildTargetTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-rebuild-target-").FullName;
    private LayerCacheApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await LayerCacheApp.StartAsync(settings: new Dictionary<string, string> { ["LayerLens__Security__AllowPrivateNetworkTargets"] = "false" });

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task A_private_or_loopback_destination_is_refused_before_any_connection()
    {
        var id = await RegistryRebuildApiTests.UploadAsync(_app, _dir);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accept = listener.AcceptTcpClientAsync();

        foreach (var destination in new[] { $"127.0.0.1:{port}/app:slim", $"localhost:{port}/app:slim", "169.254.169.254/latest:x", "10.0.0.1:5000/app:1", $"docker://[::1]:{port}/app:slim" })
        {
            using var response = await _app.Alpha.PostAsJsonAsync(new Uri($"api/v1/analyses/{id}/rebuild", UriKind.Relative), new { destination, username = "u", password = "p" });
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{destination}: {response.StatusCode} {problem}");
            Assert.Equal("Destination refused", problem.GetProperty("title").GetString());
            Assert.Contains("AllowPrivateNetworkTargets", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await Task.Delay(500);
        Assert.False(accept.IsCompleted, "something connected to the loopback destination");
        using var none = await _app.Alpha.GetAsync(new Uri($"api/v1/analyses/{id}/rebuild", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
    }
}
