using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Cli.Tests.Commands;

/// <summary><c>layerlens rebuild</c> as a process, on <see cref="TinyImage"/> (1000 dead bytes in layer 0, so nothing is kept).</summary>
public sealed class RebuildCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));

    public RebuildCommandTests()
    {
        Directory.CreateDirectory(_dir);
        TinyImage.Write(Path.Combine(_dir, "image"));
    }

    private string Image => "oci:" + Path.Combine(_dir, "image");

    private string In(string name) => Path.Combine(_dir, name);

    private Task<LayerLensProcess.Result> RunAsync(params string[] args) => LayerLensProcess.RunAsync(_dir, null, args);

    [Fact]
    public async Task Rebuild_writes_an_image_without_dead_bytes_that_analyze_reads_with_the_same_final_bytes()
    {
        var r = await RunAsync("rebuild", Image, "--output", $"oci:{In("out")}:slim", "--compression", "zstd");

        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Contains("Dead bytes  1,000 -> 0", r.Stdout);
        Assert.Contains("Layers      2 -> 2 (0 kept byte-identical)", r.Stdout);
        var analyzed = await RunAsync("analyze", $"oci:{In("out")}:slim", "--format", "json");
        using var report = JsonDocument.Parse(analyzed.Stdout);
        Assert.Equal(0, report.RootElement.GetProperty("efficiency").GetProperty("wastedBytes").GetInt64());
        Assert.Equal(1500, report.RootElement.GetProperty("image").GetProperty("finalBytes").GetInt64());
        Assert.Equal(1500, report.RootElement.GetProperty("image").GetProperty("sizeBytes").GetInt64());
    }

    [Fact]
    public async Task Existing_output_is_refused_without_force_and_two_rebuilds_are_byte_identical()
    {
        var first = await RunAsync("rebuild", Image, "-o", $"oci-archive:{In("a.tar")}");
        var second = await RunAsync("rebuild", Image, "-o", $"oci-archive:{In("b.tar")}");
        Assert.Equal((0, 0), (first.ExitCode, second.ExitCode));
        Assert.Equal(File.ReadAllBytes(In("a.tar")), File.ReadAllBytes(In("b.tar")));

        File.WriteAllText(In("b.tar"), "keep me");
        var refused = await RunAsync("rebuild", Image, "-o", $"oci-archive:{In("b.tar")}");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("--force", refused.Stderr);
        Assert.Equal("keep me", File.ReadAllText(In("b.tar")));

        var forced = await RunAsync("rebuild", Image, "-o", $"oci-archive:{In("b.tar")}", "--force");
        Assert.Equal(0, forced.ExitCode);
        Assert.Equal(File.ReadAllBytes(In("a.tar")), File.ReadAllBytes(In("b.tar")));
    }

    [Fact]
    public async Task What_analyze_refuses_rebuild_refuses_with_exit_2_and_writes_nothing()
    {
        var blob = Directory.GetFiles(Path.Combine(_dir, "image", "blobs", "sha256")).OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(blob);
        bytes[bytes.Length / 2] ^= 0xff;
        File.WriteAllBytes(blob, bytes);
        var before = Directory.GetFileSystemEntries(_dir).Order().ToList();

        var analyze = await RunAsync("analyze", Image);
        var rebuild = await RunAsync("rebuild", Image, "--output", $"oci:{In("out")}");

        Assert.Equal((2, 2), (analyze.ExitCode, rebuild.ExitCode));
        Assert.Contains("layerlens: ", rebuild.Stderr);
        Assert.Equal(before, Directory.GetFileSystemEntries(_dir).Order().ToList());
    }

    [Fact]
    public async Task A_hard_link_to_a_missing_target_is_refused_by_analyze_and_rebuild_with_exit_2_and_the_same_message()
    {
        new SyntheticImage(
            new LayerTarBuilder().Dir("etc").File("etc/a", "a").Build(),
            new LayerTarBuilder().Dir("data").HardLink("data/l", "etc/missing").Build()).WriteOciLayout(In("broken"));
        var before = Directory.GetFileSystemEntries(_dir).Order().ToList();

        var analyze = await RunAsync("analyze", $"oci:{In("broken")}");
        var rebuild = await RunAsync("rebuild", $"oci:{In("broken")}", "--output", $"oci:{In("out")}");

        Assert.Equal((2, 2), (analyze.ExitCode, rebuild.ExitCode));
        const string Refusal = "entry 'data/l': hard link to 'etc/missing', which is not present at this point";
        Assert.Contains(Refusal, analyze.Stderr);
        Assert.Contains(Refusal, rebuild.Stderr);
        Assert.Contains("layer 1 (blob sha256:", rebuild.Stderr);
        Assert.Equal(before, Directory.GetFileSystemEntries(_dir).Order().ToList());
    }

    [Theory]
    [InlineData("docker://example.com/x@sha256:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("docker://example.com/UPPER:1")]
    [InlineData("oci:")]
    [InlineData("/just/a/path")]
    public async Task An_output_it_cannot_write_is_refused_with_exit_2(string output)
    {
        var r = await RunAsync("rebuild", Image, "--output", output);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--output", r.Stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
