using System.Globalization;
using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>One step of a buildah build: its stage and position, text, wall seconds and whether the cache served it.</summary>
public sealed record BuiltStep(int Stage, int Index, string Text, double Seconds, bool Cached);

/// <summary>A finished buildah build; <paramref name="StoppedBy"/> names the sandbox limit that stopped it, if one did.</summary>
public sealed record BuildOutcome(bool Success, double Seconds, IReadOnlyList<BuiltStep> Steps, string? ImageId, string LogTail, string? StoppedBy = null);

/// <summary>
/// buildah in its own store (root, runroot) per experiment: vfs storage, chroot isolation, layer cache on,
/// network namespace unshared so a RUN cannot reach anything, and never a pull: base images are seeded beforehand.
/// Unsandboxed: RUN steps run as the calling user. Only for the CLI (the user's own Dockerfile on the user's own
/// machine); the service builds in <see cref="Sandbox.SandboxedBuild"/>.
/// </summary>
public sealed partial class BuildahBuild(string storeDirectory, TimeSpan timeout, string? seedStore = null) : IExperimentBuilder
{
    public string StoreDirectory { get; } = storeDirectory;

    /// <summary>The store's root (images and layers), which a later experiment may copy as its seed.</summary>
    public string Root => Path.Combine(StoreDirectory, "root");

    public string RunRoot => Path.Combine(StoreDirectory, "runroot");

    private IEnumerable<string> Global() =>
    [
        "--root", Root,
        "--runroot", RunRoot,
        "--storage-driver", "vfs",
    ];

    public async Task<BuildOutcome> BuildAsync(string dockerfile, string contextDirectory, string tag, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(StoreDirectory);
        if (seedStore is not null && !Directory.Exists(Root))
        {
            // cp -a keeps the layers' modes, owners and symlinks exactly as buildah wrote them.
            var copy = await TimedProcess.RunAsync("cp", ["-a", seedStore, Root], timeout, cancellationToken);
            if (copy.ExitCode != 0)
            {
                return new BuildOutcome(false, copy.Seconds, [], null, "copying the seed store failed: " + copy.Tail());
            }
        }
        var iid = Path.Combine(StoreDirectory, tag + ".iid");
        File.Delete(iid);
        string[] args = ["-n", "buildah", .. Global(), "bud", "--pull=never", "--isolation", "chroot", "--layers", "--iidfile", iid, "-f", dockerfile, "-t", tag, contextDirectory];
        var output = await TimedProcess.RunAsync("unshare", args, timeout, cancellationToken);
        var steps = ParseSteps(output);
        var success = output.ExitCode == 0 && File.Exists(iid);
        return new BuildOutcome(success, output.Seconds, steps, success ? File.ReadAllText(iid).Trim() : null,
            output.TimedOut ? $"timed out after {timeout.TotalSeconds:0} s\n" + output.Tail() : output.Tail());
    }

    /// <summary>Writes the image as an OCI layout directory.</summary>
    public async Task PushOciAsync(string imageId, string directory, CancellationToken cancellationToken)
    {
        string[] args = [.. Global(), "push", "--remove-signatures", imageId, "oci:" + directory + ":image"];
        var output = await TimedProcess.RunAsync("buildah", args, timeout, cancellationToken);
        if (output.ExitCode != 0)
        {
            throw new InvalidOperationException("buildah push failed: " + output.Tail());
        }
    }

    /// <summary>Removes every image and container from the store, then the store itself.</summary>
    public async Task CleanAsync()
    {
        if (Directory.Exists(Root))
        {
            await TimedProcess.RunAsync("buildah", [.. Global(), "rm", "--all"], timeout, CancellationToken.None);
            await TimedProcess.RunAsync("buildah", [.. Global(), "rmi", "--all", "--force"], timeout, CancellationToken.None);
        }
        try
        {
            Directory.Delete(StoreDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A busy file in a store under the temp directory is left for the OS; the next experiment uses a new store.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public string? OverQuota(long quotaBytes)
    {
        var bytes = StoreBytes();
        return bytes > quotaBytes ? $"the store passed the disk quota of {quotaBytes} bytes ({bytes} bytes)" : null;
    }

    /// <summary>Bytes used by the store (for the disk quota).</summary>
    public long StoreBytes() => Directory.Exists(StoreDirectory)
        ? new DirectoryInfo(StoreDirectory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }).Sum(f => f.Length)
        : 0;

    /// <summary>
    /// "STEP n/m: TEXT" starts a step (prefixed "[k/s] " per stage in multi-stage builds); "--> Using cache"
    /// marks a hit. A step lasts until the next step line or the commit.
    /// </summary>
    public static List<BuiltStep> ParseSteps(TimedOutput output)
    {
        var steps = new List<BuiltStep>();
        int stage = 0, index = 0;
        string? text = null;
        double start = 0;
        var cached = false;
        var lastStageTag = "";
        void Close(double at)
        {
            if (text is not null)
            {
                steps.Add(new BuiltStep(stage, index, text, Math.Max(0, at - start), cached));
            }
            text = null;
        }
        foreach (var (at, line) in output.Lines)
        {
            var m = StepLine().Match(line);
            if (m.Success)
            {
                Close(at);
                var tag = m.Groups[1].Value;
                if (tag != lastStageTag)
                {
                    stage = tag.Length == 0 ? 0 : int.Parse(tag.Split('/')[0][1..], CultureInfo.InvariantCulture) - 1;
                    lastStageTag = tag;
                }
                index = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) - 1;
                text = m.Groups[3].Value;
                start = at;
                cached = false;
                continue;
            }
            if (line.StartsWith("--> Using cache", StringComparison.Ordinal))
            {
                cached = true;
            }
            else if (line.StartsWith("COMMIT", StringComparison.Ordinal) && text is not null && index > 0 && !cached)
            {
                // The last step's time runs until its layer is committed.
                continue;
            }
        }
        Close(output.Lines.Count > 0 ? output.Lines[^1].At : 0);
        return steps;
    }

    [GeneratedRegex(@"^(\[\d+/\d+\] )?STEP (\d+)/\d+: (.*)$")]
    private static partial Regex StepLine();
}
