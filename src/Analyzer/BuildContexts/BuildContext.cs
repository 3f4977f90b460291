using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.BuildContexts;

/// <summary>
/// The files a builder would send: the context directory walked without following symlinks, minus what
/// .dockerignore excludes. Bounded in entries so a hostile context cannot exhaust memory.
/// </summary>
public sealed class BuildContext
{
    public const int MaxEntries = 200_000;

    private readonly SortedDictionary<string, ContextFile> _files;

    private BuildContext(string? root, DockerIgnore ignore, SortedDictionary<string, ContextFile> files, IReadOnlyList<string> excludedTopLevel)
    {
        Root = root;
        Ignore = ignore;
        _files = files;
        ExcludedTopLevel = excludedTopLevel;
    }

    /// <summary>The context directory, or null when none was given (context facts are then unknown).</summary>
    public string? Root { get; }

    public bool IsKnown => Root is not null;

    public DockerIgnore Ignore { get; }

    public IEnumerable<ContextFile> Files => _files.Values;

    public int Count => _files.Count;

    /// <summary>Top-level names present on disk but excluded by .dockerignore.</summary>
    public IReadOnlyList<string> ExcludedTopLevel { get; }

    public static BuildContext Unknown { get; } = new(null, DockerIgnore.Empty, new(StringComparer.Ordinal), []);

    public static BuildContext Load(string root, string? dockerfilePath = null)
    {
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DirectoryNotFoundException($"{root}: no such context directory");
        }
        var ignore = LoadIgnore(full, dockerfilePath);
        var files = new SortedDictionary<string, ContextFile>(StringComparer.Ordinal);
        var excludedTop = new SortedSet<string>(StringComparer.Ordinal);
        var entries = 0;
        var pending = new Stack<string>();
        pending.Push(full);
        while (pending.Count > 0)
        {
            var dir = pending.Pop();
            foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos())
            {
                if (++entries > MaxEntries)
                {
                    throw new InvalidOperationException($"{root}: more than {MaxEntries} entries in the build context (limit)");
                }
                var rel = Path.GetRelativePath(full, entry.FullName).Replace('\\', '/');
                if (ignore.IsExcluded(rel))
                {
                    if (!rel.Contains('/', StringComparison.Ordinal))
                    {
                        excludedTop.Add(rel);
                    }
                    // Exclusion patterns may re-include something below an excluded directory.
                    if (entry is DirectoryInfo && entry.LinkTarget is null && ignore.Patterns.Any(p => p.Exclusion))
                    {
                        pending.Push(entry.FullName);
                    }
                    continue;
                }
                if (entry is DirectoryInfo d && d.LinkTarget is null)
                {
                    pending.Push(d.FullName);
                    continue;
                }
                var isLink = entry.LinkTarget is not null;
                var size = !isLink && entry is FileInfo f ? f.Length : 0;
                files[rel] = new ContextFile(rel, size, OperatingSystem.IsWindows() ? UnixFileMode.None : entry.UnixFileMode, isLink);
            }
        }
        return new BuildContext(full, ignore, files, [.. excludedTop]);
    }

    private static DockerIgnore LoadIgnore(string root, string? dockerfilePath)
    {
        // BuildKit prefers <Dockerfile>.dockerignore beside the Dockerfile over the context's .dockerignore.
        var candidates = new List<string>();
        if (dockerfilePath is not null)
        {
            candidates.Add(dockerfilePath + ".dockerignore");
        }
        candidates.Add(Path.Combine(root, ".dockerignore"));
        foreach (var candidate in candidates)
        {
            var info = new FileInfo(candidate);
            if (info.LinkTarget is not null)
            {
                // Read through a link, the ignore file could be any file on the machine.
                throw new FormatException($"{candidate}: is a symbolic link (to '{info.LinkTarget}'); a .dockerignore must be a regular file");
            }
            if (info.Exists)
            {
                if (info.Length > 16 * 1024 * 1024)
                {
                    throw new FormatException($"{candidate}: larger than 16 MiB (limit)");
                }
                return DockerIgnore.Parse(File.ReadAllText(candidate));
            }
        }
        return DockerIgnore.Empty;
    }

    public bool Exists(string path) => _files.ContainsKey(path);

    public ContextFile? Get(string path) => _files.GetValueOrDefault(path);

    /// <summary>
    /// What a COPY/ADD source selects: each match with the files it brings and whether it is a directory
    /// (whose contents land in the destination) or a single file (landing under its base name).
    /// </summary>
    public IReadOnlyList<SourceMatch> Resolve(string source)
    {
        var cleaned = DockerIgnore.CleanPath(source.Replace('\\', '/')).TrimStart('/');
        if (cleaned is "" or ".")
        {
            return [new SourceMatch("", true, [.. _files.Values])];
        }
        if (cleaned.StartsWith("..", StringComparison.Ordinal))
        {
            return [];
        }
        if (cleaned.IndexOfAny(['*', '?', '[']) < 0)
        {
            return ResolveLiteral(cleaned) is { } m ? [m] : [];
        }
        var regex = GlobToRegex(cleaned);
        var matches = new SortedSet<string>(StringComparer.Ordinal);
        var depth = cleaned.Count(c => c == '/');
        foreach (var key in _files.Keys)
        {
            // A glob matches a path of the same depth: a file, or a directory that is a prefix of files.
            var parts = key.Split('/');
            if (parts.Length > depth)
            {
                var candidate = string.Join('/', parts.Take(depth + 1));
                if (regex.IsMatch(candidate))
                {
                    matches.Add(candidate);
                }
            }
        }
        return [.. matches.Select(ResolveLiteral).OfType<SourceMatch>()];
    }

    private SourceMatch? ResolveLiteral(string path)
    {
        if (_files.TryGetValue(path, out var file))
        {
            return new SourceMatch(path, false, [file]);
        }
        var prefix = path + "/";
        var below = _files.Values.Where(f => f.Path.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        return below.Count > 0 ? new SourceMatch(path, true, below) : null;
    }

    private static Regex GlobToRegex(string glob)
    {
        var sb = new System.Text.StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '[':
                    var end = glob.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        sb.Append("\\[");
                        break;
                    }
                    var set = glob[(i + 1)..end];
                    sb.Append('[').Append(set.StartsWith('!') || set.StartsWith('^') ? "^" + Regex.Escape(set[1..]) : Regex.Escape(set)).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < glob.Length: sb.Append(Regex.Escape(glob[++i].ToString())); break;
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }
}

/// <summary>One match of a COPY source: the matched path, whether it is a directory, and the files it brings.</summary>
public sealed record SourceMatch(string Path, bool IsDirectory, IReadOnlyList<ContextFile> Files);
