using System.Security.Cryptography;
using System.Text;
using LayerLens.TestInfrastructure;
using LayerLens.TestInfrastructure.Registry;

namespace LayerLens.Cli.Tests.Commands;

/// <summary><c>layerlens rebuild --output docker://REF</c> as a process, to a real docker-registry with htpasswd auth.</summary>
[Trait(Needs.Trait, Needs.Registry)]
public sealed class RebuildPushCommandTests(BasicAuthRegistryFixture registry) : IClassFixture<BasicAuthRegistryFixture>, IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));

    private string Image
    {
        get
        {
            if (!Directory.Exists(Path.Combine(_dir, "image")))
            {
                Directory.CreateDirectory(_dir);
                TinyImage.Write(Path.Combine(_dir, "image"));
            }
            return "oci:" + Path.Combine(_dir, "image");
        }
    }

    private Task<LayerLensProcess.Result> RunAsync(params string[] args) => LayerLensProcess.RunAsync(_dir, null, args);

    [Fact]
    public async Task Rebuild_pushes_with_dest_creds_reports_the_digest_and_keeps_an_existing_tag_without_force()
    {
        var destination = $"docker://{registry.Address}/cli/app:slim";
        var creds = $"{registry.Username}:{registry.Password}";

        var pushed = await RunAsync("rebuild", Image, "--output", destination, "--dest-creds", creds, "--insecure");

        Assert.True(pushed.ExitCode == 0, pushed.Stderr);
        var raw = await registry.InspectAsync($"{registry.Address}/cli/app:slim", raw: true);
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(raw.StandardOutput.TrimEnd('\n'))));
        Assert.Contains($"Pushed      {registry.Address}/cli/app:slim@{digest}", pushed.Stdout, StringComparison.Ordinal);
        Assert.Contains("Uploaded    ", pushed.Stdout, StringComparison.Ordinal);

        var again = await RunAsync("rebuild", Image, "--output", destination, "--dest-creds", creds, "--insecure");
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("--force", again.Stderr, StringComparison.Ordinal);

        var forced = await RunAsync("rebuild", Image, "--output", destination, "--dest-creds", creds, "--insecure", "--force");
        Assert.True(forced.ExitCode == 0, forced.Stderr);
        Assert.Contains("Uploaded    0 bytes in 0 blob(s)", forced.Stdout, StringComparison.Ordinal); // the registry has every blob

        var wrong = await RunAsync("rebuild", Image, "--output", $"docker://{registry.Address}/cli/denied:slim", "--dest-creds", registry.Username + ":wrong", "--insecure");
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("401", wrong.Stderr, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }
}
