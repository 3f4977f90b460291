namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>Instruction keywords in canonical lower and upper case, without allocating for the known ones.</summary>
public static class Keywords
{
    private static readonly string[] Known =
    [
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from", "healthcheck", "label",
        "maintainer", "onbuild", "run", "shell", "stopsignal", "user", "volume", "workdir",
    ];

    private static readonly string[] KnownUpper =
    [
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    ];

    private static readonly string[] Interned = [.. Known, .. KnownUpper];

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

    public static string Lower(string keyword) => IndexOf(keyword) is var i and >= 0 ? Known[i] : keyword.ToLowerInvariant();

    public static string Upper(string keyword) => IndexOf(keyword) is var i and >= 0 ? KnownUpper[i] : keyword.ToUpperInvariant();

    // Eighteen short keys: a scan costs less than building a frozen dictionary (and JIT-compiling it) at every start.
    private static int IndexOf(string keyword)
    {
        for (var i = 0; i < Known.Length; i++)
        {
            if (keyword.Length == Known[i].Length && string.Equals(keyword, Known[i], StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }
}
