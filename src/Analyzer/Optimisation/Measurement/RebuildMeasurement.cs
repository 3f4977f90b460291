using LayerLens.Analyzer.Optimisation.Equivalence;
using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>
/// Builds the original and the recommended Dockerfile with buildah, each run in a fresh store and a fresh
/// copy of the context; then rebuilds after no change, a source edit and a manifest edit; reports medians,
/// feeds measured step durations to the cost model, and checks the two images are equivalent.
/// </summary>
public static class RebuildMeasurement
{
    private sealed record Variant(string Name, string Dockerfile, IReadOnlyList<List<Dependencies.Step>> Stages, IReadOnlyList<IReadOnlyList<Dependencies.InstructionLine>> Lines);

    public static async Task<MeasurementResult> MeasureAsync(OptimisationResult result, MeasureOptions options, CancellationToken cancellationToken)
    {
        if (!result.Context.IsKnown)
        {
            throw new ArgumentException("--measure needs the build context (--context DIR)");
        }
        var measured = new MeasurementResult();
        if (options.Sandbox is not null && options.SeedStore is not null)
        {
            throw new ArgumentException("a seed store cannot be used in the build sandbox (its files belong to host ids the sandbox does not map): name the base images instead");
        }
        var root = Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), "layerlens-measure-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        using var job = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var survived = false;
        if (options.JobTimeout is { } jobTimeout)
        {
            job.CancelAfter(jobTimeout);
        }
        try
        {
            return await MeasureInAsync(result, options, measured, root, job.Token);
        }
        catch (OperationCanceledException) when (job.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            measured.StoppedBy = $"measurement stopped: job time limit of {options.JobTimeout!.Value.TotalSeconds:0} s reached";
            measured.Failures.Add(measured.StoppedBy);
            measured.Equivalent = false;
            return measured;
        }
        catch (Sandbox.BuildSurvivedException)
        {
            survived = true;
            throw;
        }
        finally
        {
            try
            {
                if (!survived)
                {
                    Directory.Delete(root, recursive: true);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static async Task<MeasurementResult> MeasureInAsync(OptimisationResult result, MeasureOptions options, MeasurementResult measured, string root, CancellationToken cancellationToken)
    {
        var variants = new[]
        {
            new Variant("original", Path.Combine(root, "original.Dockerfile"), result.OriginalStages, Dependencies.InstructionLines.Of(result.OriginalDockerfile)),
            new Variant("recommended", Path.Combine(root, "recommended.Dockerfile"), result.RecommendedStages, Dependencies.InstructionLines.Of(result.RecommendedDockerfile)),
        };
        await File.WriteAllTextAsync(variants[0].Dockerfile, result.OriginalDockerfile, cancellationToken);
        await File.WriteAllTextAsync(variants[1].Dockerfile, result.RecommendedDockerfile, cancellationToken);
        var source = options.Measures(ScenarioEdits.SourceEdit) ? ScenarioEdits.PickSource(result) : null;
        var manifest = options.Measures(ScenarioEdits.ManifestEdit) ? ScenarioEdits.PickManifest(result) : null;
        if (source is null && options.Measures(ScenarioEdits.SourceEdit))
        {
            measured.Notes.Add("no source file is copied into the image: source-edit not measured");
        }
        if (manifest is null && options.Measures(ScenarioEdits.ManifestEdit))
        {
            measured.Notes.Add("no dependency manifest in the context: manifest-edit not measured");
        }
        SandboxSeed? sandboxSeed = null;
        if (options.Sandbox is null)
        {
            var seed = await SeedBasesAsync(result, root, options, measured, cancellationToken);
            options = options with { SeedStore = seed };
        }
        else
        {
            sandboxSeed = await SeedSandboxAsync(result, root, options, measured, cancellationToken);
        }
        if (measured.Failures.Count > 0)
        {
            measured.Equivalent = false;
            return measured;
        }
        var samples = new Dictionary<(string Scenario, string Variant), List<BuildOutcome>>();
        var cold = new Dictionary<string, BuildOutcome>();
        for (var run = 1; run <= Math.Max(1, options.Runs); run++)
        {
            foreach (var variant in variants)
            {
                var ok = await RunExperimentAsync(result, variant, run, root, source, manifest, options, sandboxSeed, samples, cold, measured, cancellationToken);
                if (!ok)
                {
                    measured.Equivalent = false;
                    return measured;
                }
            }
        }
        ApplyDurations(result, variants, cold);
        foreach (var scenario in new[] { ScenarioEdits.SourceEdit, ScenarioEdits.ManifestEdit, ScenarioEdits.NoChange })
        {
            if (samples.TryGetValue((scenario, "original"), out var a) && samples.TryGetValue((scenario, "recommended"), out var b))
            {
                measured.Scenarios.Add(new ScenarioResult(scenario, Median(a.Select(x => x.Seconds)), Median(b.Select(x => x.Seconds)), a.Count,
                    (int)Median(a.Select(x => (double)x.Steps.Count(s => s.Cached))), (int)Median(b.Select(x => (double)x.Steps.Count(s => s.Cached))))
                {
                    OriginalSteps = StepMedians(a, variants[0].Lines),
                    RecommendedSteps = StepMedians(b, variants[1].Lines),
                });
            }
        }
        options.Progress?.Invoke("comparing the two images");
        var original = await ImageSnapshot.ReadAsync("oci:" + Path.Combine(root, "oci-original") + ":image", cancellationToken);
        var recommended = await ImageSnapshot.ReadAsync("oci:" + Path.Combine(root, "oci-recommended") + ":image", cancellationToken);
        measured.Differences.AddRange(ImageComparer.Compare(original, recommended));
        measured.Equivalent = measured.Differences.Count == 0;
        return measured;
    }

    /// <summary>
    /// With base images to seed, one seed store for every experiment: the given seed's copy plus the bases, so each
    /// experiment's <c>cp -a</c> brings them without network. Returns the seed store root to use.
    /// </summary>
    private static async Task<string?> SeedBasesAsync(OptimisationResult result, string root, MeasureOptions options, MeasurementResult measured, CancellationToken cancellationToken)
    {
        var bases = BaseImages.External(result.OriginalDockerfile)
            .Concat(BaseImages.External(result.RecommendedDockerfile))
            .DistinctBy(b => b.Name)
            .ToList();
        if (bases.Count == 0)
        {
            return options.SeedStore;
        }
        var seedRoot = Path.Combine(root, "seed", "root");
        var seedRunRoot = Path.Combine(root, "seed", "runroot");
        Directory.CreateDirectory(Path.GetDirectoryName(seedRoot)!);
        if (options.SeedStore is not null)
        {
            var copy = await TimedProcess.RunAsync("cp", ["-a", options.SeedStore, seedRoot], options.BuildTimeout, cancellationToken);
            if (copy.ExitCode != 0)
            {
                measured.Failures.Add("copying the seed store failed: " + copy.Tail());
                return null;
            }
        }
        measured.Failures.AddRange(await BaseImages.SeedAsync(bases, seedRoot, seedRunRoot, options, cancellationToken));
        return seedRoot;
    }

    /// <summary>
    /// For the sandbox: the bases copied by root with skopeo from the trusted local sources into one OCI layout
    /// (plain files, no host ownership), which each experiment's first build imports as the build user.
    /// </summary>
    private static async Task<SandboxSeed?> SeedSandboxAsync(OptimisationResult result, string root, MeasureOptions options, MeasurementResult measured, CancellationToken cancellationToken)
    {
        var bases = BaseImages.External(result.OriginalDockerfile)
            .Concat(BaseImages.External(result.RecommendedDockerfile))
            .DistinctBy(b => b.Name)
            .ToList();
        if (bases.Count == 0)
        {
            return null;
        }
        var layout = Path.Combine(root, "seed-oci");
        var (failures, references) = await BaseImages.ExportAsync(bases, layout, options, cancellationToken);
        measured.Failures.AddRange(failures);
        return new SandboxSeed(layout, references);
    }

    /// <summary>
    /// buildah re-executes itself from a sealed memfd copy; the kernel can refuse the seal with EBUSY while pages of
    /// the copy are still pinned (seen under load). The build has not started then, so one retry is safe.
    /// </summary>
    private const string BuildahStartRace = "sealing memfd copy: Device or resource busy";

    private static async Task<bool> RunExperimentAsync(
        OptimisationResult result, Variant variant, int run, string root, string? source, string? manifest, MeasureOptions options, SandboxSeed? sandboxSeed,
        Dictionary<(string, string), List<BuildOutcome>> samples, Dictionary<string, BuildOutcome> cold, MeasurementResult measured, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(root, $"run{run}-{variant.Name}");
        var context = Path.Combine(dir, "context");
        ScenarioEdits.CopyContext(result.Context, context);
        IExperimentBuilder builder = options.Sandbox is { } sandbox
            ? new SandboxedBuild(sandbox, dir, options.BuildTimeout, sandboxSeed)
            : new BuildahBuild(Path.Combine(dir, "store"), options.BuildTimeout, options.SeedStore);
        var survived = false;
        try
        {
            async Task<BuildOutcome?> Build(string what)
            {
                options.Progress?.Invoke($"run {run}: {variant.Name}, {what}");
                var outcome = await builder.BuildAsync(variant.Dockerfile, context, "layerlens-" + variant.Name, cancellationToken);
                if (!outcome.Success && outcome.StoppedBy is null && outcome.LogTail.Contains(BuildahStartRace, StringComparison.Ordinal))
                {
                    // buildah failed before any step ran (nothing built, nothing cached, so the timing is unaffected): once more.
                    options.Progress?.Invoke($"run {run}: {variant.Name}, {what}: buildah failed to start, retrying once");
                    await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken); // let the kernel release the pinned pages
                    outcome = await builder.BuildAsync(variant.Dockerfile, context, "layerlens-" + variant.Name, cancellationToken);
                }
                if (outcome.StoppedBy is { } limit)
                {
                    measured.StoppedBy = $"build of the {variant.Name} Dockerfile stopped: {limit}";
                    measured.Failures.Add($"{measured.StoppedBy} ({what}, run {run})\n{outcome.LogTail}");
                    return null;
                }
                if (!outcome.Success)
                {
                    measured.Failures.Add($"{variant.Name} build ({what}, run {run}) failed:\n{outcome.LogTail}");
                    return null;
                }
                if (builder.OverQuota(options.DiskQuotaBytes) is { } over)
                {
                    measured.Failures.Add($"{variant.Name} build ({what}, run {run}): {over}");
                    return null;
                }
                return outcome;
            }
            void Record(string scenario, BuildOutcome outcome)
            {
                var key = (scenario, variant.Name);
                if (!samples.TryGetValue(key, out var list))
                {
                    samples[key] = list = [];
                }
                list.Add(outcome);
            }
            var first = await Build("initial build");
            if (first is null)
            {
                return false;
            }
            if (run == 1)
            {
                cold[variant.Name] = first;
                await builder.PushOciAsync(first.ImageId!, Path.Combine(root, "oci-" + variant.Name), cancellationToken);
            }
            if (options.Measures(ScenarioEdits.NoChange))
            {
                var same = await Build(ScenarioEdits.NoChange);
                if (same is null)
                {
                    return false;
                }
                Record(ScenarioEdits.NoChange, same);
            }
            foreach (var (scenario, file) in new[] { (ScenarioEdits.SourceEdit, source), (ScenarioEdits.ManifestEdit, manifest) })
            {
                if (file is null)
                {
                    continue;
                }
                ScenarioEdits.Apply(context, file);
                var outcome = await Build(scenario);
                if (outcome is null)
                {
                    return false;
                }
                Record(scenario, outcome);
            }
            return true;
        }
        catch (Sandbox.BuildSurvivedException)
        {
            // A build process outlived the kill: its directory is left as it is (see BuildSandbox).
            survived = true;
            throw;
        }
        finally
        {
            if (!survived)
            {
                await builder.CleanAsync();
                try
                {
                    if (Directory.Exists(dir))
                    {
                        Directory.Delete(dir, recursive: true);
                    }
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>Measured cold-build step times become the cost model's durations (the original's win for shared steps).</summary>
    private static void ApplyDurations(OptimisationResult result, IReadOnlyList<Variant> variants, Dictionary<string, BuildOutcome> cold)
    {
        foreach (var variant in variants.Reverse())
        {
            if (!cold.TryGetValue(variant.Name, out var outcome))
            {
                continue;
            }
            foreach (var step in outcome.Steps)
            {
                if (step.Stage < variant.Stages.Count && step.Index < variant.Stages[step.Stage].Count)
                {
                    result.Durations.Set(variant.Stages[step.Stage][step.Index], step.Seconds);
                }
            }
        }
        result.Durations.Source = "measured";
        result.Recost();
    }

    /// <summary>
    /// Per step (by stage and position), the median seconds over the runs; cached as in the median run (the run
    /// whose total is the median, the lower one for an even count). Lines and text come from the Dockerfile built.
    /// </summary>
    public static List<MeasuredStep> StepMedians(IReadOnlyList<BuildOutcome> runs, IReadOnlyList<IReadOnlyList<Dependencies.InstructionLine>> lines)
    {
        if (runs.Count == 0)
        {
            return [];
        }
        var medianRun = runs.OrderBy(r => r.Seconds).ElementAt((runs.Count - 1) / 2);
        var steps = new List<MeasuredStep>();
        foreach (var step in medianRun.Steps)
        {
            var seconds = Median(runs.Select(r => r.Steps.FirstOrDefault(s => s.Stage == step.Stage && s.Index == step.Index)).OfType<BuiltStep>().Select(s => s.Seconds));
            var at = Dependencies.InstructionLines.At(lines, step.Stage, step.Index);
            steps.Add(new MeasuredStep(at?.Line ?? 0, at?.Text ?? step.Text, seconds, step.Cached));
        }
        return steps;
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        if (sorted.Count == 0)
        {
            return 0;
        }
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
