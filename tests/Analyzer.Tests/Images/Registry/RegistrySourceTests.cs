using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure.Registry;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Images.Registry;

/// <summary>The waste image pulled from a real registry gives the same report as from disk.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public abstract class RegistrySourceTests<TFixture>(TFixture registry) where TFixture : RegistryFixture
{
    protected TFixture Registry { get; } = registry;

    protected abstract RegistryCredentials? Credentials { get; }

    protected async Task<ImageAnalysis> PullAndAnalyzeAsync(string reference, RegistryCredentials? credentials)
    {
        var options = new ImageOpenOptions { Registry = new AnalyzerRegistryOptions { Credentials = credentials, Insecure = true } };
        using var image = await ImageOpener.OpenAsync("docker://" + reference, options);
        return await ImageAnalyzer.AnalyzeAsync(image);
    }

    [Fact]
    public async Task Registry_pull_matches_the_numbers_and_the_disk_report()
    {
        var exports = await RealImages.GetAsync();
        var reference = await Registry.PushAsync(exports["oci"], "waste", "v1");

        var pulled = await PullAndAnalyzeAsync(reference, Credentials);
        var fromDisk = await AnalyzeHelper.AnalyzeAsync(RealImages.Source(exports["oci"]));

        RealImageTests.AssertFirstPrinciples(pulled);
        Assert.Equal(RealImageTests.Project(fromDisk), RealImageTests.Project(pulled));
        Assert.Equal(fromDisk.Layers.Select(l => l.DiffId), pulled.Layers.Select(l => l.DiffId));
        Assert.StartsWith("sha256:", pulled.Digest);
    }
}

[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public class AnonymousRegistryTests(RegistryFixture registry) : RegistrySourceTests<RegistryFixture>(registry), IClassFixture<RegistryFixture>
{
    protected override RegistryCredentials? Credentials => null;
}

[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public class BasicAuthRegistryTests(BasicAuthRegistryFixture registry) : RegistrySourceTests<BasicAuthRegistryFixture>(registry), IClassFixture<BasicAuthRegistryFixture>
{
    protected override RegistryCredentials? Credentials => new(Registry.Username, Registry.Password);

    [Fact]
    public async Task Wrong_password_is_refused_clearly()
    {
        var reference = await Registry.PushAsync((await RealImages.GetAsync())["oci"], "waste", "v1");

        var ex = await Assert.ThrowsAsync<RegistryException>(() => PullAndAnalyzeAsync(reference, new RegistryCredentials(Registry.Username, "wrong")));

        Assert.Contains("401", ex.Message);
    }
}

[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public class TokenAuthRegistryTests(TokenAuthRegistryFixture registry) : RegistrySourceTests<TokenAuthRegistryFixture>(registry), IClassFixture<TokenAuthRegistryFixture>
{
    protected override RegistryCredentials? Credentials => new(Registry.Username, Registry.Password);

    [Fact]
    public async Task Credentials_come_from_a_docker_auth_file()
    {
        var reference = await Registry.PushAsync((await RealImages.GetAsync())["oci"], "waste", "v1");
        using var temp = new TempDir();
        var auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Registry.Username}:{Registry.Password}"));
        var json = new System.Text.Json.Nodes.JsonObject { ["auths"] = new System.Text.Json.Nodes.JsonObject { [Registry.Address] = new System.Text.Json.Nodes.JsonObject { ["auth"] = auth } } };
        File.WriteAllText(temp.File("auth.json"), json.ToJsonString());
        var options = new ImageOpenOptions { Registry = new AnalyzerRegistryOptions { AuthFiles = [temp.File("auth.json")], Insecure = true } };

        using var image = await ImageOpener.OpenAsync("docker://" + reference, options);
        var result = await ImageAnalyzer.AnalyzeAsync(image);

        Assert.Equal(WasteRecipe.FinalBytes, result.FinalBytes);
    }
}
