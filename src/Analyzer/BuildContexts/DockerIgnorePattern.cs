using System.Text;
using System.Text.RegularExpressions;

namespace LayerLens.Analyzer.BuildContexts;

/// <summary>
/// One .dockerignore pattern compiled the way moby's patternmatcher does: exact, prefix ("dir/**"),
/// suffix ("**/name") or a regular expression where <c>*</c> and <c>?</c> stop at '/', <c>**</c> crosses it.
/// </summary>
public sealed class DockerIgnorePattern
{
    private const string EscapedChars = ".+()|{}$^";
    private readonly MatchType _type;
    private readonly Regex? _regex;

    private enum MatchType { Exact, Prefix, Suffix, Regex }

    public DockerIgnorePattern(string cleaned, bool exclusion)
    {
        Cleaned = cleaned;
        Exclusion = exclusion;
        (_type, _regex) = Compile(cleaned);
    }

    /// <summary>The pattern after path cleaning (no leading '!').</summary>
    public string Cleaned { get; }

    /// <summary>A '!' pattern: re-includes what earlier patterns excluded.</summary>
    public bool Exclusion { get; }

    public bool Matches(string path) => _type switch
    {
        MatchType.Exact => path == Cleaned,
        MatchType.Prefix => path.StartsWith(Cleaned[..^2], StringComparison.Ordinal),
        MatchType.Suffix => path.EndsWith(Cleaned[2..].TrimStart('/'), StringComparison.Ordinal),
        _ => _regex!.IsMatch(path),
    };

    private static (MatchType, Regex?) Compile(string pattern)
    {
        var re = new StringBuilder("^");
        var type = MatchType.Exact;
        var i = 0;
        for (var n = 0; i < pattern.Length; n++)
        {
            var ch = pattern[i++];
            if (ch == '*')
            {
                if (i < pattern.Length && pattern[i] == '*')
                {
                    i++;
                    if (i < pattern.Length && pattern[i] == '/')
                    {
                        i++;
                    }
                    if (i >= pattern.Length)
                    {
                        // "**" at the end accepts everything below, like .gitignore.
                        if (type == MatchType.Exact)
                        {
                            type = MatchType.Prefix;
                        }
                        else
                        {
                            re.Append(".*");
                            type = MatchType.Regex;
                        }
                    }
                    else
                    {
                        re.Append("(.*/)?");
                        type = MatchType.Regex;
                    }
                    if (n == 0)
                    {
                        type = MatchType.Suffix;
                    }
                }
                else
                {
                    re.Append("[^/]*");
                    type = MatchType.Regex;
                }
            }
            else if (ch == '?')
            {
                re.Append("[^/]");
                type = MatchType.Regex;
            }
            else if (EscapedChars.Contains(ch, StringComparison.Ordinal))
            {
                re.Append('\\').Append(ch);
            }
            else if (ch == '\\')
            {
                if (i < pattern.Length)
                {
                    re.Append('\\').Append(pattern[i++]);
                }
                else
                {
                    re.Append("\\\\");
                }
            }
            else if (ch is '[' or ']')
            {
                re.Append(ch);
                type = MatchType.Regex;
            }
            else
            {
                re.Append(ch);
            }
        }
        if (type != MatchType.Regex)
        {
            return (type, null);
        }
        re.Append('$');
        try
        {
            return (MatchType.Regex, new Regex(re.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)));
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"invalid .dockerignore pattern '{pattern}': {ex.Message}", ex);
        }
    }
}
