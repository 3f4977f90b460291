using System.Collections.Frozen;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>Instruction keywords in canonical lower and upper case, without allocating for the known ones.</summary>
public static class Keywords
{
    private static readonly string[] Known =
    [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
        "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ];

    private static readonly FrozenDictionary<string, (string Lower, string Upper)> Table =
        Known.ToFrozenDictionary(k => k, k => (k, k.ToUpperInvariant()), StringComparer.OrdinalIgnoreCase);

    private static readonly string[] Interned = [.. Known, .. Known.Select(k => k.ToUpperInvariant())];

    /// <summary>The keyword as written, shared for the all-lower and all-upper spellings of known keywords.</summary>
    public static string Intern(ReadOnlySpan<char> written)
    {
        foreach (var candidate in Interned)
        {
            if (written.SequenceEqual(candidate))
            {
                return candidate;
            }
        }
        return written.ToString();
    }

    public static string Lower(string keyword) => Table.TryGetValue(keyword, out var k) ? k.Lower : keyword.ToLowerInvariant();

    public static string Upper(string keyword) => Table.TryGetValue(keyword, out var k) ? k.Upper : keyword.ToUpperInvariant();
}
