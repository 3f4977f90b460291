using System.Text;
using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>.dockerignore semantics: Go filepath.Match patterns plus <c>**</c>, later patterns win, <c>!</c> re-includes.</summary>
internal sealed class DockerIgnoreMatcher
{
    private readonly List<(Regex Pattern, bool Exclude)> _patterns = [];

    public DockerIgnoreMatcher(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var exclude = true;
            if (line[0] == '!')
            {
                exclude = false;
                line = line[1..].Trim();
            }
            line = Normalize(line);
            if (line.Length == 0)
            {
                continue;
            }
            _patterns.Add((new Regex("^" + ToRegex(line) + "(/.*)?$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)), exclude));
        }
    }

    public bool IsIgnored(string path)
    {
        path = Normalize(path);
        if (path.Length == 0 || path == ".")
        {
            return false;
        }
        var ignored = false;
        foreach (var (pattern, exclude) in _patterns)
        {
            if (pattern.IsMatch(path))
            {
                ignored = exclude;
            }
        }
        return ignored;
    }

    private static string Normalize(string path)
    {
        path = path.Replace('\\', '/');
        while (path.StartsWith("./", StringComparison.Ordinal))
        {
            path = path[2..];
        }
        return path.Trim('/');
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                sb.Append(".*");
                i++;
                if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                {
                    sb.Append("/?");
                    i++;
                }
            }
            else if (c == '*')
            {
                sb.Append("[^/]*");
            }
            else if (c == '?')
            {
                sb.Append("[^/]");
            }
            else
            {
                sb.Append(Regex.Escape(c.ToString()));
            }
        }
        return sb.ToString();
    }
}
