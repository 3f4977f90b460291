using System.Text.Json;

namespace LayerLens.Cli.Tests.Commands;

/// <summary>
/// <c>layerlens rebuild --base / --drop-junk / --link-duplicates</c> as a process, on <see cref="TinyImage"/> with 25
/// equal one-byte <c>copy-N.tmp</c> files in layer 0 (layer 0 ships dead bytes, so nothing is kept by default).
/// </summary>
public sealed class RebuildOptionsCommandTests : IDisposable
{
    private const int Copies = 25;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));

    public RebuildOptionsCommandTests()
    {
        Directory.CreateDirectory(_dir);
        TinyImage.Write(Path.Combine(_dir, "image"), copies: Copies);
        TinyImage.Write(Path.Combine(_dir, "other"), extraEntry: "other");
    }

    private string Image => "oci:" + Path.Combine(_dir, "image");

    private string In(string name) => Path.Combine(_dir, name);

    private Task<LayerLensProcess.Result> RunAsync(params string[] args) => LayerLensProcess.RunAsync(_dir, null, args);

    [Fact]
    public async Task Drop_junk_lists_every_removed_path_in_json_and_bounds_the_text()
    {
        var json = await RunAsync("rebuild", Image, "-o", $"oci:{In("a")}", "--drop-junk", "--format", "json");
        var text = await RunAsync("rebuild", Image, "-o", $"oci:{In("b")}", "--drop-junk");

        Assert.True(json.ExitCode == 0, json.Stderr);
        using var report = JsonDocument.Parse(json.Stdout);
        var changed = report.RootElement.GetProperty("changedPaths").EnumerateArray().Select(c => c.GetProperty("path").GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, Copies).Select(i => $"copy-{i}.tmp").Order(StringComparer.Ordinal), changed);
        Assert.Equal(Copies, report.RootElement.GetProperty("junkBytesDropped").GetInt64());
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"Changed     {Copies} paths on purpose: {Copies} junk bytes dropped", text.Stdout);
        Assert.Contains($"  ... and {Copies - 20} more (--format json lists every path)", text.Stdout);
        var analyzed = await RunAsync("analyze", $"oci:{In("a")}", "--format", "json");
        Assert.DoesNotContain("copy-", analyzed.Stdout);
    }

    [Fact]
    public async Task Link_duplicates_links_equal_files_and_reports_the_bytes_saved()
    {
        var r = await RunAsync("rebuild", Image, "-o", $"oci:{In("a")}", "--link-duplicates", "--format", "json");

        Assert.True(r.ExitCode == 0, r.Stderr);
        using var report = JsonDocument.Parse(r.Stdout);
        Assert.Equal(Copies - 1, report.RootElement.GetProperty("duplicateBytesSaved").GetInt64());
        var changes = report.RootElement.GetProperty("changedPaths").EnumerateArray().Select(c => c.GetProperty("change").GetString()).ToList();
        Assert.Equal(Copies, changes.Count);
        Assert.Equal(Copies - 1, changes.Count(c => c == "hard link to /copy-0.tmp"));
    }

    [Fact]
    public async Task Base_keeps_its_layers_and_an_unrelated_base_is_refused_with_exit_2_writing_nothing()
    {
        var kept = await RunAsync("rebuild", Image, "-o", $"oci:{In("a")}", "--base", Image);
        Assert.True(kept.ExitCode == 0, kept.Stderr);
        Assert.Contains("Layers      2 -> 2 (2 kept byte-identical)", kept.Stdout);
        Assert.Contains($"layer 0 kept (sha256:", kept.Stdout);
        Assert.Contains($"layer of base {Image}", kept.Stdout);
        Assert.Contains("the base layers ship 1,000 bytes later layers made dead", kept.Stdout);

        var before = Directory.GetFileSystemEntries(_dir).Order().ToList();
        var unrelated = await RunAsync("rebuild", Image, "-o", $"oci:{In("b")}", "--base", "oci:" + In("other"));
        var squash = await RunAsync("rebuild", Image, "-o", $"oci:{In("c")}", "--base", Image, "--squash");
        var missing = await RunAsync("rebuild", Image, "-o", $"oci:{In("d")}", "--base", "oci:" + In("nowhere"));

        Assert.Equal((2, 2, 2), (unrelated.ExitCode, squash.ExitCode, missing.ExitCode));
        Assert.Contains("is not the source's base: layer 0 differs", unrelated.Stderr);
        Assert.Contains("--squash", squash.Stderr);
        Assert.Equal(before, Directory.GetFileSystemEntries(_dir).Order().ToList());
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
