using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>
/// Suppression pragmas users already write: <c># hadolint ignore=DL3008,...</c> (the instruction below),
/// <c># hadolint global ignore=...</c>, BuildKit's <c># check=skip=A,B</c> directive (or skip=all) and its
/// per-instruction form, and LayerLens's own <c># layerlens ignore=LL-3008</c> / <c># layerlens global ignore=</c>.
/// </summary>
internal sealed class Suppressions
{
    private readonly HashSet<string> _global = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, HashSet<string>> _byLine = [];
    private bool _skipAllChecks;

    /// <summary>BuildKit's <c># check=error=true</c>: check violations fail the build.</summary>
    public bool ChecksAreErrors { get; private set; }
    private readonly HashSet<string> _skippedChecks = new(StringComparer.Ordinal);

    public static Suppressions Read(DockerfileDocument document)
    {
        var s = new Suppressions();
        foreach (var directive in document.Result.Directives)
        {
            if (directive.Name == "check")
            {
                try
                {
                    s.ReadCheck(directive.Value, s._skippedChecks, all => s._skipAllChecks |= all, error => s.ChecksAreErrors = error);
                }
                catch (FormatException)
                {
                    // BuildKit fails the build on this; the linter just does not honour an unreadable directive.
                }
            }
        }
        var source = document.Source;
        var text = source.Text;
        for (var i = 0; i < source.LineCount; i++)
        {
            var start = source.LineStart(i);
            var end = source.LineContentEnd(i);
            while (start < end && char.IsWhiteSpace(text[start]))
            {
                start++;
            }
            if (start >= end || text[start] != '#')
            {
                continue;
            }
            var comment = text.AsSpan(start + 1, end - start - 1).Trim();
            foreach (var tool in (ReadOnlySpan<string>)["hadolint", "layerlens"])
            {
                if (!comment.StartsWith(tool, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var rest = comment[tool.Length..].TrimStart();
                var global = rest.StartsWith("global", StringComparison.OrdinalIgnoreCase);
                if (global)
                {
                    rest = rest["global".Length..].TrimStart();
                }
                if (!rest.StartsWith("ignore", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                rest = rest["ignore".Length..].TrimStart();
                if (rest.Length == 0 || rest[0] != '=')
                {
                    continue;
                }
                var ids = SplitIds(rest[1..].ToString());
                if (global)
                {
                    s._global.UnionWith(ids);
                }
                else
                {
                    s.AddForNextInstruction(document, i + 1, ids);
                }
            }
        }
        foreach (var instruction in document.Instructions)
        {
            foreach (var comment in instruction.Comments)
            {
                if (comment.StartsWith("check=", StringComparison.Ordinal))
                {
                    var ids = new HashSet<string>(StringComparer.Ordinal);
                    var all = false;
                    try
                    {
                        s.ReadCheck(comment["check=".Length..], ids, a => all |= a);
                    }
                    catch (FormatException)
                    {
                        continue; // BuildKit ignores an unparsable per-instruction check comment
                    }
                    if (all)
                    {
                        ids.Add("*");
                    }
                    s.Add(instruction.StartLine, ids);
                }
            }
        }
        return s;
    }

    private void AddForNextInstruction(DockerfileDocument document, int commentLine, IEnumerable<string> ids)
    {
        // hadolint applies the pragma to the next instruction: binary search over start lines.
        var instructions = document.Instructions;
        int lo = 0, hi = instructions.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (instructions[mid].StartLine > commentLine)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        if (lo < instructions.Count)
        {
            Add(instructions[lo].StartLine, ids);
        }
    }

    private void Add(int line, IEnumerable<string> ids)
    {
        if (!_byLine.TryGetValue(line, out var set))
        {
            _byLine[line] = set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }
        set.UnionWith(ids);
    }

    /// <summary>Parses BuildKit's <c>skip=A,B;error=true;experimental=X</c>; only the value up to the first space counts.</summary>
    private void ReadCheck(string value, HashSet<string> skipped, Action<bool> skipAll, Action<bool>? error = null)
    {
        var space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space >= 0)
        {
            value = value[..space];
        }
        foreach (var option in value.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = option.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new FormatException("invalid check option " + option);
            }
            var key = option[..eq].Trim().ToLowerInvariant();
            var v = option[(eq + 1)..].Trim();
            switch (key)
            {
                case "skip":
                    if (v == "all")
                    {
                        skipAll(true);
                    }
                    else
                    {
                        skipped.UnionWith(SplitIds(v));
                    }
                    break;
                case "error":
                    error?.Invoke(ParseGoBool(v));
                    break;
                case "experimental":
                    break;
                default:
                    throw new FormatException("unknown check option " + key);
            }
        }
    }

    // Go's strconv.ParseBool, which BuildKit uses for error=.
    private static bool ParseGoBool(string v) => v switch
    {
        "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
        "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
        _ => throw new FormatException("invalid boolean " + v),
    };

    private static IEnumerable<string> SplitIds(string list) =>
        list.Split([',', ' ', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public bool IsSuppressed(RuleDefinition rule, int line)
    {
        if (_global.Any(rule.IsNamed))
        {
            return true;
        }
        if (rule.BuildkitCheck != null && _skipAllChecks)
        {
            return true;
        }
        if (rule.BuildkitCheck != null && _skippedChecks.Contains(rule.BuildkitCheck))
        {
            return true;
        }
        if (_byLine.TryGetValue(line, out var ids))
        {
            return (ids.Contains("*") && rule.BuildkitCheck != null) || ids.Any(rule.IsNamed);
        }
        return false;
    }
}
