using System.Text.Json;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.WebApp;
using LayerLens.TestInfrastructure;

namespace LayerLens.Cli.Tests.Commands;

/// <summary>The service in a process, allowed to pull from a loopback registry, and that registry.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public sealed class ServiceAndRegistryFixture : IAsyncLifetime
{
    public WebAppProcess App { get; private set; } = null!;

    public RegistryServer Registry { get; private set; } = null!;

    public string Server => App.BaseAddress.ToString();

    public async Task InitializeAsync()
    {
        Registry = await RegistryServer.StartAsync();
        App = await WebAppProcess.StartAsync(new Dictionary<string, string>
        {
            ["LayerLens__Security__AllowPrivateNetworkTargets"] = "true",
            ["LayerLens__Registries__Insecure__0"] = Registry.Address,
        });
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Registry.DisposeAsync();
    }
}

/// <summary>
/// A real buildah image whose RUN step deletes a file an earlier COPY shipped: with the Dockerfile given, the SARIF
/// result for those dead bytes sits on that RUN line — from <c>analyze</c> and from the service via <c>submit</c>.
/// </summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public sealed class DockerfileLineTests(ServiceAndRegistryFixture service) : IClassFixture<ServiceAndRegistryFixture>
{
    private const int BigBytes = 256 * 1024;

    private static readonly ImageRecipe Recipe = ImageRecipe.OnBusybox("layerlens-sarif-lines", """
        COPY big.bin /opt/big.bin
        RUN rm /opt/big.bin && echo -n hello > /app.txt
        RUN echo -n done > /done.txt

        """)
        .WithGenerated("layerlens-sarif-lines-big-256KiB-seed-5", async (dir, ct) =>
        {
            var big = new byte[BigBytes];
            new Random(5).NextBytes(big);
            await File.WriteAllBytesAsync(Path.Combine(dir, "big.bin"), big, ct);
        });

    /// <summary>The 1-based line of the RUN that deleted big.bin, counted in the Dockerfile the test wrote.</summary>
    private static int WastingRunLine => Recipe.Dockerfile.Split('\n').ToList().FindIndex(l => l.StartsWith("RUN rm /opt/big.bin", StringComparison.Ordinal)) + 1;

    /// <summary>A checkout: the Dockerfile at deploy/Dockerfile, the CLI run from the repository root.</summary>
    private static string Checkout()
    {
        var root = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "deploy"));
        File.WriteAllText(Path.Combine(root, "deploy", "Dockerfile"), Recipe.Dockerfile);
        return root;
    }

    private static async Task<string> ImageAsync() => (await ExportAsync()).Path;

    private static Task<ImageExport> ExportAsync() => ImageFactory.Shared.ExportAsync(Recipe, new ImageExportOptions { Format = ImageFormat.DockerArchive });

    private static void AssertDeletedBytesOnTheRunLine(string sarifText)
    {
        Assert.True(WastingRunLine > 4, "the recipe's RUN rm line comes after the busybox base");
        var results = JsonDocument.Parse(sarifText).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        var deleted = Assert.Single(results, r => r.GetProperty("message").GetProperty("text").GetString()!.Contains("/opt/big.bin", StringComparison.Ordinal));
        Assert.Equal("waste/deleted", deleted.GetProperty("ruleId").GetString());
        var location = deleted.GetProperty("locations")[0].GetProperty("physicalLocation");
        Assert.Equal("deploy/Dockerfile", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
        Assert.Equal(WastingRunLine, location.GetProperty("region").GetProperty("startLine").GetInt32());
    }

    [Fact]
    public async Task Analyze_with_the_dockerfile_puts_the_deleted_bytes_on_the_RUN_that_deleted_them()
    {
        var image = await ImageAsync();
        var checkout = Checkout();

        var result = await LayerLensProcess.RunAsync(checkout, null, "analyze", "docker-archive:" + image, "--dockerfile", "deploy/Dockerfile", "--format", "sarif");

        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertDeletedBytesOnTheRunLine(result.Stdout);
    }

    [Fact]
    public async Task Analyze_with_a_missing_dockerfile_exits_2_naming_it()
    {
        var result = await LayerLensProcess.RunAsync(Checkout(), null, "analyze", "docker-archive:" + await ImageAsync(), "--dockerfile", "nope/Dockerfile", "--format", "sarif");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("nope/Dockerfile", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_of_the_tarball_with_an_existing_dockerfile_path_gives_the_same_line_from_the_service()
    {
        var image = await ImageAsync();
        var checkout = Checkout();

        var result = await LayerLensProcess.RunAsync(checkout, null,
            "submit", "docker-archive:" + image, "--server", service.Server, "--token", WebAppProcess.ApiKey,
            "--dockerfile-path", "deploy/Dockerfile", "--format", "sarif", "--wait");

        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertDeletedBytesOnTheRunLine(result.Stdout);
    }

    [Fact]
    public async Task Submit_of_a_registry_reference_with_an_existing_dockerfile_path_gives_the_same_line_from_the_service()
    {
        var reference = await service.Registry.PushAsync(await ExportAsync(), "sarif/lines", "v1");
        var checkout = Checkout();

        var result = await LayerLensProcess.RunAsync(checkout, null,
            "submit", "docker://" + reference, "--server", service.Server, "--token", WebAppProcess.ApiKey,
            "--dockerfile-path", "deploy/Dockerfile", "--format", "sarif", "--wait");

        Assert.True(result.ExitCode == 0, result.Stderr);
        AssertDeletedBytesOnTheRunLine(result.Stdout);
    }

    [Fact]
    public async Task Submit_with_a_dockerfile_path_that_does_not_exist_here_still_names_it_at_line_1()
    {
        var result = await LayerLensProcess.RunAsync(Checkout(), null,
            "submit", "docker-archive:" + await ImageAsync(), "--server", service.Server, "--token", WebAppProcess.ApiKey,
            "--dockerfile-path", "elsewhere/Dockerfile", "--format", "sarif", "--wait");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var results = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        Assert.All(results, r =>
        {
            var location = r.GetProperty("locations")[0].GetProperty("physicalLocation");
            Assert.Equal("elsewhere/Dockerfile", location.GetProperty("artifactLocation").GetProperty("uri").GetString());
            Assert.Equal(1, location.GetProperty("region").GetProperty("startLine").GetInt32());
        });
    }
}
