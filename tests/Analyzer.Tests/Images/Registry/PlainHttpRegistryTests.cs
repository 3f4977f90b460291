using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Registry;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Images.Registry;

/// <summary>A service's list of plain-HTTP registries (LayerLens:Registries:Insecure) is the only other way to HTTP.</summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class PlainHttpRegistryTests(RegistryFixture registry) : IClassFixture<RegistryFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-plainhttp-").FullName;

    private async Task<string> PushScenarioAsync()
    {
        var archive = Path.Combine(_dir, "scenario.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(archive);
        var reference = $"{registry.Address}/plain/scenario:1";
        await ProcessRunner.RunAsync("skopeo", ["--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false", "docker-archive:" + archive, "docker://" + reference]);
        return reference;
    }

    [Fact]
    public async Task A_listed_host_is_pulled_over_http_and_an_unlisted_one_is_not()
    {
        var reference = await PushScenarioAsync();

        var listed = new ImageOpenOptions { Registry = new AnalyzerRegistryOptions { PlainHttpHosts = [registry.Address], MaxRetries = 0 } };
        using (var image = await ImageOpener.OpenAsync("docker://" + reference, listed))
        {
            var analysis = await ImageAnalyzer.AnalyzeAsync(image);
            Assert.Equal(ScenarioImage.WastedBytes, analysis.WastedBytes);
        }

        // Not listed and not --insecure: HTTPS only, which a plain-HTTP registry cannot answer.
        var unlisted = new ImageOpenOptions { Registry = new AnalyzerRegistryOptions { PlainHttpHosts = ["other.example:5000"], MaxRetries = 0, Timeout = TimeSpan.FromSeconds(5) } };
        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            using var image = await ImageOpener.OpenAsync("docker://" + reference, unlisted);
        });
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
