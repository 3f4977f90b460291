using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.BuildContexts;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>Resolves words to absolute image paths; anything uncertain becomes "anything".</summary>
public static class ImagePaths
{
    /// <summary>Where package managers and system tools write: the whole system outside application directories.</summary>
    public static IReadOnlyList<string> SystemRoots => InstallFootprint.SystemRoots;

    public static string Join(string dir, string relative)
    {
        var joined = relative.StartsWith('/') ? relative : (dir.EndsWith('/') ? dir : dir + "/") + relative;
        var clean = DockerIgnore.CleanPath(joined);
        return clean.Length == 0 ? "/" : clean;
    }

    /// <summary>A shell word used as a path, relative to <paramref name="cwd"/> (null = unknown working directory).</summary>
    public static PathAccess Resolve(ShellWord word, string? cwd)
    {
        if (word.HasExpansion || word.Value.StartsWith('~'))
        {
            return PathAccess.Anything;
        }
        var text = word.Value;
        if (word.HasGlob)
        {
            // Everything the glob can match lies below its last literal directory.
            var first = text.IndexOfAny(['*', '?', '[', '{']);
            var slash = first < 0 ? -1 : text.LastIndexOf('/', first);
            text = slash < 0 ? "." : slash == 0 ? "/" : text[..slash];
        }
        return Resolve(text, cwd);
    }

    public static PathAccess Resolve(string text, string? cwd)
    {
        if (text.Length == 0)
        {
            return PathAccess.Anything;
        }
        if (!text.StartsWith('/') && cwd is null)
        {
            return PathAccess.Anything;
        }
        return new PathAccess(Join(cwd ?? "/", text));
    }

    /// <summary>Parent directories of <paramref name="path"/> (excluding "/"), which a write creates on the way.</summary>
    public static IEnumerable<string> Parents(string path)
    {
        for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
        {
            yield return path[..slash];
        }
    }
}
