using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.Tests.Images;

namespace LayerLens.TestInfrastructure.Tests.Registry;

[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public sealed class BasicAuthRegistryTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>, IDisposable
{
    private readonly string _pullDirectory = Path.Combine(Path.GetTempPath(), "layerlens-pull-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task The_registry_listens_on_loopback_and_demands_credentials()
    {
        Assert.StartsWith("127.0.0.1:", registry.Address, StringComparison.Ordinal);
        using var http = new HttpClient();

        using var anonymous = await http.GetAsync(new Uri(registry.BaseUri, "v2/"));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Basic", anonymous.Headers.WwwAuthenticate.Single().Scheme);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(registry.BaseUri, "v2/"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        using var authenticated = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
    }

    [Fact]
    public async Task An_image_pushed_with_credentials_pulls_back_identical_and_is_hidden_without_them()
    {
        var image = await ImageFactory.Shared.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciLayout });
        var localManifest = OciLayoutReader.ReadTop(image.Path);

        var reference = await registry.PushAsync(image, "fixtures/greeter", "v1");

        using var remote = JsonDocument.Parse((await registry.InspectAsync(reference, raw: true)).StandardOutput);
        Assert.Equal(
            OciLayoutReader.Layers(localManifest).Select(l => l.GetProperty("digest").GetString()),
            remote.RootElement.GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("digest").GetString()));

        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--src-tls-verify=false",
            $"--src-creds={registry.Username}:{registry.Password}", "docker://" + reference, $"oci:{_pullDirectory}:pulled"]);
        var pulledLayers = OciLayoutReader.Layers(OciLayoutReader.ReadTop(_pullDirectory));
        var greetingLayer = OciLayoutReader.BlobPath(_pullDirectory, pulledLayers[2].GetProperty("digest").GetString()!);
        await using (var blob = File.OpenRead(greetingLayer))
        {
            Assert.Equal(TestRecipes.Greeting, ArchiveReader.ReadFileFromLayer(blob, "gzip", TestRecipes.GreetingPath));
        }

        var anonymous = await registry.InspectAsync(reference, authenticate: false, checkExitCode: false);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.Contains("unauthorized", anonymous.StandardError, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        if (Directory.Exists(_pullDirectory))
        {
            Directory.Delete(_pullDirectory, recursive: true);
        }
    }
}
