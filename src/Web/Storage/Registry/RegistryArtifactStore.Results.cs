using System.Collections.Concurrent;
using System.Security.Cryptography;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;

namespace LayerLens.Web.Storage.Registry;

/// <summary>Run results: one OCI artifact per run in the workspace's <c>results</c> repository.</summary>
public sealed partial class RegistryArtifactStore
{
    private const string Results = "results";
    private readonly ConcurrentDictionary<(Guid, Guid, Guid), long> _resultBytes = new();

    public async Task PublishRunAsync(RunKey run, string directory, string? subjectDigest, CancellationToken cancellationToken)
    {
        if (Directory.EnumerateDirectories(directory).Any())
        {
            throw new InvalidOperationException($"the results of run {run.RunId} hold a directory; the store keeps flat files only");
        }
        using var registry = Open(Repository(run.WorkspaceId, Results));
        var files = new List<ResultManifest.File>();
        foreach (var path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            var name = ResultFileNames.Check(Path.GetFileName(path));
            string digest;
            long size;
            await using (var read = File.OpenRead(path))
            {
                size = read.Length;
                digest = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(read, cancellationToken));
            }
            await registry.PushBlobAsync(digest, size, _ => Task.FromResult<Stream>(File.OpenRead(path)), cancellationToken);
            files.Add(new ResultManifest.File(name, digest, size));
        }
        await registry.PushBlobAsync(EmptyJsonDigest, 2, new MemoryStream("{}"u8.ToArray()), cancellationToken);
        var manifest = ResultManifest.Build(run, files, EmptyJsonDigest, subjectDigest);
        await registry.PutManifestAsync(ResultManifest.Tag(run.AnalysisId, run.RunId), MediaTypes.OciManifest, manifest, cancellationToken);
        _resultBytes[(run.WorkspaceId, run.AnalysisId, run.RunId)] = files.Sum(f => f.Size) + manifest.Length;
        // The local copy was this job's scratch: from here on the store holds the results.
        Directory.Delete(directory, recursive: true);
    }

    /// <summary>
    /// A result file as a local, verified copy (the tree file is read with random access): fetched once per run into
    /// this node's <c>store-cache/results/&lt;workspace&gt;/&lt;analysis&gt;/&lt;run&gt;/</c> — a run's results never change —
    /// and fetched again when that directory is gone.
    /// </summary>
    public async Task<string?> ResultFileAsync(Guid workspaceId, Guid analysisId, Guid? runId, string fileName, CancellationToken cancellationToken)
    {
        ResultFileNames.Check(fileName);
        if (runId is not { } run)
        {
            return null; // results from before runs had ids were never in a shared store
        }
        var cached = Path.Combine(CacheDirectory(workspaceId, analysisId), run.ToString("N"), fileName);
        if (File.Exists(cached))
        {
            return cached;
        }
        using var registry = Open(Repository(workspaceId, Results));
        if (await ManifestAsync(registry, analysisId, run, cancellationToken) is not { } files
            || files.FirstOrDefault(f => f.Name == fileName) is not { } file)
        {
            return null;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
        var temp = cached + "." + Guid.NewGuid().ToString("N") + ".part";
        try
        {
            await using (var body = new DigestingStream(await registry.OpenBlobStreamAsync(file.Digest, file.Size, cancellationToken), long.MaxValue, file.Digest, file.Size, $"{fileName} of analysis {analysisId}"))
            await using (var target = File.Create(temp))
            {
                await body.CopyToAsync(target, cancellationToken);
            }
            File.Move(temp, cached, overwrite: true);
            return cached;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    public async Task<long> ResultBytesAsync(Guid workspaceId, Guid analysisId, Guid? runId, CancellationToken cancellationToken)
    {
        if (runId is not { } run)
        {
            return 0;
        }
        if (_resultBytes.TryGetValue((workspaceId, analysisId, run), out var known))
        {
            return known;
        }
        using var registry = Open(Repository(workspaceId, Results));
        if (await ManifestAsync(registry, analysisId, run, cancellationToken) is not { } files)
        {
            return 0;
        }
        var bytes = files.Sum(f => f.Size);
        _resultBytes[(workspaceId, analysisId, run)] = bytes;
        return bytes;
    }

    public async Task DropRunsAsync(Guid workspaceId, Guid analysisId, Guid? keepRunId, CancellationToken cancellationToken)
    {
        using var registry = Open(Repository(workspaceId, Results));
        var keep = keepRunId is { } k ? ResultManifest.Tag(analysisId, k) : null;
        foreach (var tag in await registry.ListTagsAsync(cancellationToken))
        {
            if (tag.StartsWith(ResultManifest.TagPrefix(analysisId), StringComparison.Ordinal) && tag != keep)
            {
                await DeleteTagAsync(registry, tag, cancellationToken);
            }
        }
        foreach (var key in _resultBytes.Keys.Where(k => k.Item1 == workspaceId && k.Item2 == analysisId && k.Item3 != keepRunId))
        {
            _resultBytes.TryRemove(key, out _);
        }
        if (keepRunId is null)
        {
            DeleteCache(CacheDirectory(workspaceId, analysisId));
        }
    }

    public async Task DropRunAsync(RunKey run, CancellationToken cancellationToken)
    {
        using var registry = Open(Repository(run.WorkspaceId, Results));
        await DeleteTagAsync(registry, ResultManifest.Tag(run.AnalysisId, run.RunId), cancellationToken);
        _resultBytes.TryRemove((run.WorkspaceId, run.AnalysisId, run.RunId), out _);
        DeleteCache(Path.Combine(CacheDirectory(run.WorkspaceId, run.AnalysisId), run.RunId.ToString("N")));
    }

    /// <summary>The files of a run's artifact (its manifest read and digest-checked by the client), or null when there is none.</summary>
    private static async Task<IReadOnlyList<ResultManifest.File>?> ManifestAsync(RegistryPusher registry, Guid analysisId, Guid runId, CancellationToken cancellationToken)
    {
        var tag = ResultManifest.Tag(analysisId, runId);
        if (!await registry.ManifestExistsAsync(tag, cancellationToken))
        {
            return null;
        }
        var (body, _, _) = await registry.GetManifestAsync(tag, ResultManifest.MaxBytes, cancellationToken);
        return ResultManifest.Parse(body, $"{registry.Target.Repository}:{tag}");
    }

    /// <summary>Deletes the manifest a tag names (the tag goes with it); its blobs go at the registry's garbage collection.</summary>
    private static async Task DeleteTagAsync(RegistryPusher registry, string tag, CancellationToken cancellationToken)
    {
        if (!await registry.ManifestExistsAsync(tag, cancellationToken))
        {
            return;
        }
        var (_, _, digest) = await registry.GetManifestAsync(tag, ResultManifest.MaxBytes, cancellationToken);
        await registry.DeleteManifestAsync(digest, cancellationToken);
    }

    private string CacheDirectory(Guid workspaceId, Guid analysisId) =>
        Path.Combine(_resultCache, workspaceId.ToString("N"), analysisId.ToString("N"));

    private void DeleteCache(string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException ex)
        {
            _logger.LogWarning(ex, "Could not remove the cached results in {Directory}", directory);
        }
    }
}
