namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>Base images for sandboxed experiments: an OCI layout root wrote from trusted local sources, and the name each reference gets in the store.</summary>
public sealed record SandboxSeed(string OciDirectory, IReadOnlyList<(string Reference, string StoreName)> Images);

/// <summary>
/// One experiment in the build sandbox. Its directory (root's) holds the Dockerfile root copied in, the context
/// (the build user's), <c>store.img</c> (the rootless buildah store, on its own size-limited file system) and
/// <c>out</c> (the build user's: image id and pushed OCI layouts, checked by <see cref="PlainTree"/> before root
/// reads them). The first build imports the seeded base images into the store.
/// </summary>
public sealed class SandboxedBuild(BuildSandbox sandbox, string directory, TimeSpan timeout, SandboxSeed? seed) : IExperimentBuilder
{
    private const string Buildah = "buildah --root " + BuildSandbox.Inside + "/store/root --runroot " + BuildSandbox.Inside + "/store/runroot --storage-driver vfs";
    private bool _prepared;
    private bool _seeded;
    private string? _abandoned;

    public string Directory { get; } = directory;

    private string Out => Path.Combine(Directory, "out");

    public async Task<BuildOutcome> BuildAsync(string dockerfile, string contextDirectory, string tag, CancellationToken cancellationToken)
    {
        if (Path.GetFullPath(contextDirectory) != Path.GetFullPath(Path.Combine(Directory, "context")))
        {
            throw new ArgumentException($"a sandboxed build's context must be {Path.Combine(Directory, "context")}", nameof(contextDirectory));
        }
        ThrowIfAbandoned();
        await PrepareAsync(cancellationToken);
        File.Copy(dockerfile, Path.Combine(Directory, "Dockerfile"), overwrite: true);
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(Path.Combine(Directory, "Dockerfile"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }
        var script = "set -e\n";
        if (!_seeded && seed is not null)
        {
            foreach (var (reference, name) in seed.Images)
            {
                script += $"id=$({Buildah} pull -q {SandboxScript.Quote("oci:" + BuildSandbox.Inside + "/seed:" + reference)})\n{Buildah} tag \"$id\" {SandboxScript.Quote(name)}\n";
            }
        }
        script += $"exec {Buildah} bud --pull=never --isolation chroot --layers --iidfile {BuildSandbox.Inside}/out/iid -f {BuildSandbox.Inside}/Dockerfile -t {SandboxScript.Quote(tag)} {BuildSandbox.Inside}/context\n";
        var iid = Path.Combine(Out, "iid");
        File.Delete(iid);
        var run = await RunAsync(script, cancellationToken);
        _seeded = true;
        var steps = BuildahBuild.ParseSteps(run.Output);
        string? imageId = null;
        if (run.Output.ExitCode == 0 && run.LimitReached is null && PlainTree.FirstUnsafe(Out) is null && File.Exists(iid) && new FileInfo(iid).Length < 256)
        {
            imageId = File.ReadAllText(iid).Trim();
        }
        var success = imageId is { Length: > 0 } && imageId.All(c => char.IsAsciiLetterOrDigit(c) || c == ':');
        return new BuildOutcome(success, run.Output.Seconds, steps, success ? imageId : null, run.Output.Tail(), run.LimitReached);
    }

    public async Task PushOciAsync(string imageId, string directory, CancellationToken cancellationToken)
    {
        ThrowIfAbandoned();
        await PrepareAsync(cancellationToken);
        // A fresh name: root never deletes or reuses what an earlier run of the build user left in out/.
        var name = "oci-" + Guid.NewGuid().ToString("N");
        var layout = Path.Combine(Out, name);
        var script = $"exec {Buildah} push --remove-signatures {SandboxScript.Quote(imageId)} oci:{BuildSandbox.Inside}/out/{name}:image\n";
        var run = await RunAsync(script, cancellationToken);
        if (run.Output.ExitCode != 0 || run.LimitReached is not null)
        {
            throw new InvalidOperationException("buildah push failed" + (run.LimitReached is null ? "" : $" ({run.LimitReached})") + ": " + run.Output.Tail());
        }
        if (PlainTree.FirstUnsafe(Out) is { } bad)
        {
            throw new InvalidOperationException($"the pushed image holds '{Path.GetRelativePath(Out, bad)}', which is not a plain file or directory: refusing to read it");
        }
        if (PlainTree.Bytes(layout) > sandbox.Limits.DiskBytes)
        {
            throw new InvalidOperationException($"the pushed image is larger than the disk limit of {SandboxLimits.Bytes(sandbox.Limits.DiskBytes)}");
        }
        System.IO.Directory.Move(layout, directory);
    }

    public Task CleanAsync()
    {
        if (_abandoned is not null)
        {
            // A process of the build survived: deleting the tree could follow what it swaps in.
            return Task.CompletedTask;
        }
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Task.CompletedTask;
    }

    /// <summary>The store's own file system is the disk limit; nothing to measure afterwards.</summary>
    public string? OverQuota(long quotaBytes) => null;

    /// <summary>Runs in the sandbox; after a build whose processes survived the kill, this directory is never used again.</summary>
    private async Task<SandboxRun> RunAsync(string script, CancellationToken cancellationToken)
    {
        ThrowIfAbandoned();
        try
        {
            return await sandbox.RunAsync(Directory, Binds(), script, [], timeout, cancellationToken);
        }
        catch (BuildSurvivedException ex)
        {
            // No path in the message: it may reach the member whose build this was.
            _abandoned = ex.Message;
            throw;
        }
    }

    private void ThrowIfAbandoned()
    {
        if (_abandoned is not null)
        {
            throw new BuildSurvivedException(_abandoned);
        }
    }

    private IReadOnlyList<(string, string)> Binds() => seed is null ? [] : [(seed.OciDirectory, "seed")];

    /// <summary>The context becomes the build user's (rootless buildah reads it as that user); out is where it writes.</summary>
    private async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (_prepared)
        {
            return;
        }
        System.IO.Directory.CreateDirectory(Out);
        var owner = $"{sandbox.Uid}:{sandbox.Gid}";
        foreach (var target in new[] { Path.Combine(Directory, "context"), Out })
        {
            // -R without -L never follows a link; -h changes links themselves. Nothing of the build runs yet.
            var chown = await TimedProcess.RunAsync("chown", ["-R", "-P", "-h", owner, target], TimeSpan.FromMinutes(2), cancellationToken);
            if (chown.ExitCode != 0)
            {
                throw new InvalidOperationException("handing the context to the build user failed: " + chown.Tail());
            }
        }
        _prepared = true;
    }
}
