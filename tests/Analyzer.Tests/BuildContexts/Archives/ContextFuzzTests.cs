using System.Diagnostics;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.TestInfrastructure.Archives;
using LayerLens.TestInfrastructure.Fuzzing;

namespace LayerLens.Analyzer.Tests.BuildContexts.Archives;

/// <summary>
/// Mutated build contexts (bit flips, truncation, tar header edits with huge or negative sizes, odd types and
/// names, zip field damage) through <see cref="ContextArchive"/>: each case unpacks or fails with
/// <see cref="ContextArchiveException"/> — no other exception, no hang, nothing written beside the target.
/// Deterministic seeds; a failure names its case number.
/// </summary>
public sealed class ContextFuzzTests : IDisposable
{
    private const int Cases = 2000;
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-context-fuzz-").FullName;

    private static readonly TestEntry[] Valid =
    [
        new("src/", Directory: true),
        new("src/app.js", "console.log('hello');\n".PadRight(700, ' ')),
        new("src/lib/util.js", "module.exports = 1;\n"),
        new("package.json", "{\"name\":\"app\"}\n"),
        new("run.sh", "#!/bin/sh\nexec node src/app.js\n", Executable: true),
        new("current", SymlinkTo: "src"),
        new("copy.js", HardLinkTo: "src/app.js"),
        new(".dockerignore", "node_modules\n"),
        new(".git/config", "[core]\n"),
    ];

    [Theory]
    [InlineData("tar", 11)]
    [InlineData("tar.gz", 12)]
    [InlineData("zip", 13)]
    public async Task Mutated_archives_unpack_or_fail_with_a_context_error(string format, int seed)
    {
        var mutator = new Mutator(seed);
        var tar = TestArchive.Tar(format == "zip" ? Valid.Where(e => e.HardLinkTo is null) : Valid);
        var valid = format switch
        {
            "zip" => TestArchive.Build("zip", [.. Valid.Where(e => e.HardLinkTo is null)]),
            "tar.gz" => TestArchive.Gzip(tar),
            _ => tar,
        };
        var sentinel = Path.Combine(_dir, "sentinel");
        File.WriteAllText(sentinel, "outside");
        var clock = Stopwatch.StartNew();
        var unpacked = 0;
        for (var n = 0; n < Cases; n++)
        {
            // tar.gz: mostly mutate the tar inside (so the tar reader is reached), sometimes the gzip stream itself.
            var input = format == "tar.gz" && mutator.Random.Next(4) != 0 ? TestArchive.Gzip(mutator.Bytes(tar)) : mutator.Bytes(valid);
            var archive = Path.Combine(_dir, "case." + format);
            File.WriteAllBytes(archive, input);
            var target = Path.Combine(_dir, "out");
            var run = Task.Run(() => ContextArchive.Extract(archive, target, new ContextLimits { MaxExpandedBytes = 64L * 1024 * 1024 }, CancellationToken.None));
            // A generous timeout, only to tell a hang from a failure.
            Assert.True(await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(30))) == run, $"{format} case {n} (seed {seed}) did not finish in 30 s");
            if (run.Exception?.InnerException is { } error)
            {
                Assert.True(error is ContextArchiveException, $"{format} case {n} (seed {seed}) threw {error.GetType().Name}: {error}");
                Assert.False(string.IsNullOrWhiteSpace(error.Message));
                Assert.False(Directory.Exists(target), $"{format} case {n}: a refused archive left its target behind");
            }
            else
            {
                unpacked++;
                Directory.Delete(target, recursive: true);
            }
            Assert.Equal(["case." + format, "sentinel"], Directory.EnumerateFileSystemEntries(_dir).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray());
            Assert.Equal("outside", File.ReadAllText(sentinel));
        }
        // Some mutations are harmless (a flipped bit in file content): the fuzzer also walks the success path.
        Assert.True(unpacked > 10, $"only {unpacked} of {Cases} cases unpacked");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), clock.Elapsed.ToString());
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
