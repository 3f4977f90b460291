namespace LayerLens.Analyzer.BuildContexts;

/// <summary>
/// A .dockerignore file read as moby's ignorefile.ReadAll and applied as patternmatcher's
/// MatchesOrParentMatches: later patterns win, a pattern matching a parent directory excludes its contents.
/// </summary>
public sealed class DockerIgnore
{
    public const int MaxPatterns = 10_000;

    public DockerIgnore(IReadOnlyList<DockerIgnorePattern> patterns) => Patterns = patterns;

    public static DockerIgnore Empty { get; } = new([]);

    public IReadOnlyList<DockerIgnorePattern> Patterns { get; }

    public static DockerIgnore Parse(string text)
    {
        var patterns = new List<DockerIgnorePattern>();
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index].TrimEnd('\r');
            if (index == 0)
            {
                line = line.TrimStart('\uFEFF');
            }
            if (line.StartsWith('#'))
            {
                continue;
            }
            var pattern = line.Trim();
            if (pattern.Length == 0)
            {
                continue;
            }
            var invert = pattern[0] == '!';
            if (invert)
            {
                pattern = pattern[1..].Trim();
                if (pattern.Length == 0)
                {
                    throw new FormatException($".dockerignore line {index + 1}: illegal exclusion pattern \"!\"");
                }
            }
            pattern = CleanPath(pattern);
            if (pattern.Length > 1 && pattern[0] == '/')
            {
                pattern = pattern[1..];
            }
            if (patterns.Count >= MaxPatterns)
            {
                throw new FormatException($".dockerignore: more than {MaxPatterns} patterns (limit)");
            }
            patterns.Add(new DockerIgnorePattern(pattern, invert));
        }
        return new DockerIgnore(patterns);
    }

    /// <summary>True when <paramref name="path"/> (relative, '/'-separated) is left out of the build context.</summary>
    public bool IsExcluded(string path)
    {
        var matched = false;
        var slash = path.LastIndexOf('/');
        var parent = slash < 0 ? "." : path[..slash];
        foreach (var pattern in Patterns)
        {
            // Only an include can turn a kept path excluded, only an exclusion can bring it back.
            if (pattern.Exclusion != matched)
            {
                continue;
            }
            var match = pattern.Matches(path);
            if (!match && parent != ".")
            {
                for (var end = parent.IndexOf('/'); ; end = parent.IndexOf('/', end + 1))
                {
                    if (pattern.Matches(end < 0 ? parent : parent[..end]))
                    {
                        match = true;
                        break;
                    }
                    if (end < 0)
                    {
                        break;
                    }
                }
            }
            if (match)
            {
                matched = !pattern.Exclusion;
            }
        }
        return matched;
    }

    /// <summary>Go's path.Clean: collapse slashes, drop ".", resolve ".." lexically.</summary>
    public static string CleanPath(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }
        var rooted = path[0] == '/';
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }
            if (part == "..")
            {
                if (parts.Count > 0 && parts[^1] != "..")
                {
                    parts.RemoveAt(parts.Count - 1);
                }
                else if (!rooted)
                {
                    parts.Add(part);
                }
                continue;
            }
            parts.Add(part);
        }
        var joined = string.Join('/', parts);
        return rooted ? "/" + joined : joined.Length == 0 ? "." : joined;
    }
}
