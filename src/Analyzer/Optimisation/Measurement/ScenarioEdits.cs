using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Optimisation.Measurement;

/// <summary>
/// The files each scenario edits: one source file that a COPY sends into the image (not a manifest), and
/// one dependency manifest. An edit appends a line break, which changes the content and keeps every
/// format (JSON, requirements, go.mod, source code) valid.
/// </summary>
public static class ScenarioEdits
{
    public const string SourceEdit = "source-edit";
    public const string ManifestEdit = "manifest-edit";
    public const string NoChange = "no-change";

    public static string? PickSource(OptimisationResult result)
    {
        var copied = result.OriginalStages.SelectMany(s => s).SelectMany(s => s.Effect.ContextFiles).ToHashSet(StringComparer.Ordinal);
        var candidates = result.Context.Files
            .Where(f => !f.IsSymlink && copied.Contains(f.Path) && !result.Manifests.Contains(f.Path) && Path.GetFileName(f.Path) is not (".dockerignore" or "Dockerfile"))
            .Select(f => f.Path)
            .ToList();
        // Prefer a file in a subdirectory (application sources) over top-level files such as binaries.
        return candidates.OrderBy(p => p.Contains('/', StringComparison.Ordinal) ? 0 : 1).ThenBy(p => p, StringComparer.Ordinal).FirstOrDefault();
    }

    public static string? PickManifest(OptimisationResult result) =>
        result.Manifests.Where(m => result.Context.Get(m) is { IsSymlink: false }).Order(StringComparer.Ordinal).FirstOrDefault();

    /// <summary>
    /// Appends the edit. The copy may have been a sandboxed build's to change: every component must still be a real
    /// directory and the file a regular one, so root's write cannot be led through a link.
    /// </summary>
    public static void Apply(string contextCopy, string relativePath) =>
        File.AppendAllText(Sandbox.PlainTree.EnsurePlainFile(contextCopy, relativePath), "\n");

    /// <summary>Copies the context files (after .dockerignore) and the ignore file, keeping modes and symlinks.</summary>
    public static void CopyContext(BuildContext context, string destination)
    {
        Directory.CreateDirectory(destination);
        var ignore = Path.Combine(context.Root!, ".dockerignore");
        // BuildContext.Load refuses a linked .dockerignore; never copy one through a link all the same.
        if (File.Exists(ignore) && new FileInfo(ignore).LinkTarget is null)
        {
            File.Copy(ignore, Path.Combine(destination, ".dockerignore"));
        }
        foreach (var file in context.Files)
        {
            var source = Path.Combine(context.Root!, file.Path);
            var target = Path.Combine(destination, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            if (file.IsSymlink)
            {
                File.CreateSymbolicLink(target, new FileInfo(source).LinkTarget!);
                continue;
            }
            File.Copy(source, target, overwrite: true);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, file.Mode);
            }
        }
    }
}
