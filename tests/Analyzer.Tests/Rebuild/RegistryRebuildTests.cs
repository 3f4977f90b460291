using System.Security.Cryptography;
using System.Text;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Analyzer.Rebuild;
using LayerLens.Analyzer.Tests.Images;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;
using LayerLens.TestInfrastructure.Registry;
using AnalyzerRegistryOptions = LayerLens.Analyzer.Images.Registry.RegistryOptions;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary><c>rebuild --output docker://REF</c> to a real docker-registry with htpasswd auth, checked with skopeo and umoci.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public class RegistryRebuildTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>
{
    private static readonly Lazy<Task<ImageExport>> Export = new(() => ImageFactory.Shared.ExportAsync(RebuildRecipe.Recipe(), new ImageExportOptions { Format = ImageFormat.OciLayout }));

    private AnalyzerRegistryOptions Options(string? password = null) =>
        new() { Credentials = new RegistryCredentials(registry.Username, password ?? registry.Password), Insecure = true };

    private Task<RebuildResult> RebuildAsync(string source, string repositoryAndTag, bool force = false, string? password = null, Action<string>? hook = null) =>
        ImageRebuilder.RunAsync(new RebuildRequest(ImageSourceSpec.Parse(source), new ImageOpenOptions { Registry = Options() }, RebuildDestination.Parse($"docker://{registry.Address}/{repositoryAndTag}"))
        {
            DestinationRegistry = Options(password),
            Force = force,
            AfterWriteForTesting = hook,
        });

    private Task<ProcessResult> SkopeoAsync(params string[] args) =>
        ProcessRunner.RunAsync("skopeo", ["--insecure-policy", .. args], new ProcessOptions { Timeout = TimeSpan.FromMinutes(3) });

    [Fact]
    public async Task Pushed_image_pulls_back_with_skopeo_with_its_digest_and_the_same_root_filesystem()
    {
        var export = await Export.Value;
        using var dir = new TempDir();

        var result = await RebuildAsync(RealImages.Source(export), "rebuilt/app:slim");

        var push = result.Push!;
        Assert.Equal($"{registry.Address}/rebuilt/app:slim", push.Reference);
        Assert.Equal(result.ManifestDigest, push.Digest);
        Assert.Equal(0, push.BlobsSkipped);
        Assert.Equal(result.LayersAfter + 1, push.BlobsUploaded);
        var creds = $"--creds={registry.Username}:{registry.Password}";
        var raw = await SkopeoAsync("inspect", "--tls-verify=false", "--raw", creds, $"docker://{push.Reference}");
        Assert.Equal(push.Digest, "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw.StandardOutput.TrimEnd('\n')))));
        var inspect = await SkopeoAsync("inspect", "--tls-verify=false", creds, $"docker://{push.Reference}");
        Assert.Contains(push.Digest, inspect.StandardOutput);

        await SkopeoAsync("copy", "--src-tls-verify=false", $"--src-creds={registry.Username}:{registry.Password}", $"docker://{push.Reference}", $"oci:{dir.File("pulled")}:slim");
        var layout = await SkopeoAsync("inspect", "--raw", $"oci:{dir.File("pulled")}:slim");
        Assert.Equal(raw.StandardOutput.TrimEnd('\n'), layout.StandardOutput.TrimEnd('\n')); // skopeo copied it byte for byte
        var before = await RootfsWalk.UnpackAndDescribeAsync(export.Path, export.Tag, dir.File("a"));
        var after = await RootfsWalk.UnpackAndDescribeAsync(dir.File("pulled"), "slim", dir.File("b"));
        Assert.Contains("linked to app/hl-a", before["app/hl-b"]);
        Assert.Equal(string.Join("\n", before.Select(kv => kv.Key + ": " + kv.Value)), string.Join("\n", after.Select(kv => kv.Key + ": " + kv.Value)));
    }

    [Fact]
    public async Task Kept_layers_the_registry_has_are_mounted_not_uploaded_and_a_second_push_uploads_nothing()
    {
        var export = await Export.Value;
        var source = await registry.PushAsync(export, "original/app", "v1");

        var first = await RebuildAsync("docker://" + source, "slim/app:v1");

        Assert.Equal(3, first.KeptLayers.Count);
        var push = first.Push!;
        Assert.Equal(3, push.BlobsSkipped); // the kept layers: mounted from original/app
        var rewritten = first.LayersAfter - first.KeptLayers.Count;
        Assert.Equal(rewritten + 1, push.BlobsUploaded);
        Assert.Equal(first.PullBytesWithKeptLayers, push.BytesUploaded + ManifestSize(push)); // what a host with the kept layers pulls is what was sent
        Assert.True(push.BytesSkipped > 1_000_000, $"busybox is kept and skipped, {push.BytesSkipped} bytes");

        var second = await RebuildAsync("docker://" + source, "slim/app:v2");

        Assert.Equal(push.Digest, second.Push!.Digest);
        Assert.Equal(0, second.Push.BytesUploaded);
        Assert.Equal(0, second.Push.BlobsUploaded);
    }

    private long ManifestSize(RegistryPushSummary push)
    {
        using var pusher = new RegistryPusher(RegistryReference.Parse(push.Reference), Options());
        return pusher.GetManifestAsync(push.Digest, 1 << 20, default).GetAwaiter().GetResult().Body.Length;
    }

    [Fact]
    public async Task Wrong_credentials_are_refused_before_any_work_and_nothing_is_tagged()
    {
        var export = await Export.Value;

        var ex = await Assert.ThrowsAsync<RegistryException>(() => RebuildAsync(RealImages.Source(export), "denied/app:v1", password: "wrong"));

        Assert.Contains("401", ex.Message);
        Assert.Contains("denied/app", ex.Message);
        var inspect = await registry.InspectAsync($"{registry.Address}/denied/app:v1", checkExitCode: false);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Fact]
    public async Task An_existing_tag_is_kept_without_force_and_replaced_with_it()
    {
        var export = await Export.Value;
        var original = await registry.PushAsync(export, "taken/app", "v1");
        var before = (await registry.InspectAsync(original, raw: true)).StandardOutput;

        var refused = await Assert.ThrowsAsync<RebuildRefusedException>(() => RebuildAsync(RealImages.Source(export), "taken/app:v1"));

        Assert.Contains("--force", refused.Message);
        Assert.Equal(before, (await registry.InspectAsync(original, raw: true)).StandardOutput);
        var forced = await RebuildAsync(RealImages.Source(export), "taken/app:v1", force: true);
        Assert.Contains(forced.Push!.Digest, (await registry.InspectAsync(original)).StandardOutput);
    }

    [Fact]
    public async Task A_failed_proof_pushes_nothing()
    {
        var export = await Export.Value;

        await Assert.ThrowsAsync<EquivalenceFailedException>(() => RebuildAsync(RealImages.Source(export), "unproved/app:v1", hook: RealImageRebuildTests.DropLastLayer));

        var inspect = await registry.InspectAsync($"{registry.Address}/unproved/app:v1", checkExitCode: false);
        Assert.NotEqual(0, inspect.ExitCode);
        using var pusher = new RegistryPusher(RegistryReference.Parse($"{registry.Address}/unproved/app:v1"), Options());
        using var layout = await ImageOpener.OpenAsync(RealImages.Source(export), new ImageOpenOptions());
        foreach (var layer in layout.Layers)
        {
            Assert.False(await pusher.BlobExistsAsync(layer.Digest!, default), $"layer {layer.Index} was pushed");
        }
    }
}
