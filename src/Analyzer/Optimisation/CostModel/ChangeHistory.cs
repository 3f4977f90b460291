using System.Text;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>
/// How often each context path changed, read from <c>git log --name-only</c> text — never by running a tool
/// in the context, whose own configuration (a <c>.git</c> with hooks, fsmonitor or gpg.program) could run
/// programs. Two shapes are accepted: git's default (medium) format, and <c>--format=%x00%H</c> (a NUL and the
/// commit hash, then its paths). Paths are relative to the build context, as <c>--relative -- .</c> run in
/// the context directory prints them. Bounded in size, lines and paths; a malformed line is named.
/// </summary>
public sealed class ChangeHistory
{
    public const int MaxBytes = 16 * 1024 * 1024;
    public const int MaxLines = 1_000_000;
    public const int MaxPathLength = 4096;
    public const int MaxPaths = 200_000;

    /// <summary>Only the newest commits count (git log prints newest first): recent change predicts the next.</summary>
    public const int MaxCommits = 2000;

    private ChangeHistory(IReadOnlyDictionary<string, int> counts, int commits, string source)
    {
        Counts = counts;
        Commits = commits;
        Source = source;
    }

    /// <summary>Commits (of the newest <see cref="MaxCommits"/>) that touched each path.</summary>
    public IReadOnlyDictionary<string, int> Counts { get; }

    public int Commits { get; }

    /// <summary>Where the history came from, as the report names the weights ("git log", "uploaded history").</summary>
    public string Source { get; }

    private enum State
    {
        BeforeFirstCommit,
        Header,
        Body,
        Paths,
    }

    /// <summary>Reads a history file: at most <see cref="MaxBytes"/> bytes of UTF-8 (git's own output encoding).</summary>
    public static ChangeHistory Read(string path, string source)
    {
        var info = new FileInfo(path);
        if (info.Length > MaxBytes)
        {
            throw new FormatException($"change history: larger than {MaxBytes:N0} bytes (limit)");
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(File.ReadAllBytes(path));
        }
        catch (DecoderFallbackException ex)
        {
            throw new FormatException($"change history: not UTF-8 text (at byte {ex.Index})");
        }
        return Parse(text.TrimStart('\uFEFF'), source);
    }

    public static ChangeHistory Parse(string text, string source = "git log")
    {
        if (text.Length > MaxBytes)
        {
            throw new FormatException($"change history: larger than {MaxBytes:N0} characters (limit)");
        }
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var inCommit = new HashSet<string>(StringComparer.Ordinal);
        var commits = 0;
        var state = State.BeforeFirstCommit;
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            if (++number > MaxLines)
            {
                throw new FormatException($"change history: more than {MaxLines:N0} lines (limit)");
            }
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            if (IsCommitLine(line, out var nulFormat))
            {
                commits++;
                inCommit.Clear();
                state = nulFormat ? State.Body : State.Header;
                continue;
            }
            if (line.Length == 0)
            {
                if (state == State.Header)
                {
                    state = State.Body;
                }
                continue;
            }
            switch (state)
            {
                case State.BeforeFirstCommit:
                    throw Error(number, line, "comes before any 'commit <hash>' line; send the output of `git log --name-only` (or `git log --format=%x00%H --name-only`)");
                case State.Header:
                    if (!IsHeaderLine(line))
                    {
                        throw Error(number, line, "is neither a commit header (Author:, Date:, Merge: …) nor the blank line that ends one");
                    }
                    continue;
                case State.Body when line.StartsWith("    ", StringComparison.Ordinal):
                    continue; // the commit message, indented by git
                case State.Paths when line.StartsWith("    ", StringComparison.Ordinal):
                    throw Error(number, line, "is an indented line among a commit's paths; send `git log --name-only` output unchanged");
            }
            state = State.Paths;
            var path = Path(number, line);
            if (commits <= MaxCommits && inCommit.Add(path))
            {
                if (!counts.ContainsKey(path) && counts.Count >= MaxPaths)
                {
                    throw new FormatException($"change history line {number}: more than {MaxPaths:N0} distinct paths (limit)");
                }
                counts[path] = counts.GetValueOrDefault(path) + 1;
            }
        }
        return new ChangeHistory(counts, Math.Min(commits, MaxCommits), source);
    }

    /// <summary>"commit &lt;hex&gt;[ (refs)]" (medium format) or "\0&lt;hex&gt;" (<c>--format=%x00%H</c>).</summary>
    private static bool IsCommitLine(string line, out bool nulFormat)
    {
        nulFormat = line.StartsWith('\0');
        var rest = nulFormat ? line[1..] : line.StartsWith("commit ", StringComparison.Ordinal) ? line[7..] : null;
        if (rest is null)
        {
            return false;
        }
        var end = rest.IndexOf(' ', StringComparison.Ordinal);
        var hash = end < 0 ? rest : rest[..end];
        return hash.Length is 40 or 64 && hash.All(char.IsAsciiHexDigitLower) && (end < 0 || (!nulFormat && rest[end..].StartsWith(" (", StringComparison.Ordinal)));
    }

    private static bool IsHeaderLine(string line)
    {
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && line[..colon].All(c => char.IsAsciiLetter(c) || c == '-');
    }

    /// <summary>A path as git prints it (C-quoted when unusual), checked: relative, no <c>..</c>, no control characters.</summary>
    private static string Path(int number, string line)
    {
        if (line.Contains('\t', StringComparison.Ordinal))
        {
            throw Error(number, line, "holds a tab: this looks like --name-status or --numstat output; send --name-only");
        }
        if (line.Any(char.IsControl))
        {
            throw Error(number, line, "holds a control character; git prints such paths quoted");
        }
        var path = line.StartsWith('"') ? Unquote(number, line) : line;
        if (path.Length > MaxPathLength)
        {
            throw new FormatException($"change history line {number}: a path longer than {MaxPathLength} characters (limit)");
        }
        if (path.StartsWith('/'))
        {
            throw Error(number, line, "is an absolute path; paths are relative to the build context");
        }
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw Error(number, line, "quotes a NUL character, which no path holds");
        }
        foreach (var part in path.Split('/'))
        {
            if (part is "" or "." or "..")
            {
                throw Error(number, line, "is not a clean relative path (an empty, '.' or '..' component)");
            }
        }
        return path;
    }

    /// <summary>git's C-style quoting (core.quotePath): \" \\ \a \b \t \n \v \f \r and octal bytes of UTF-8.</summary>
    private static string Unquote(int number, string line)
    {
        if (line.Length < 2 || !line.EndsWith('"'))
        {
            throw Error(number, line, "opens a quoted path that is never closed");
        }
        var bytes = new List<byte>(line.Length);
        for (var i = 1; i < line.Length - 1; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                throw Error(number, line, "has an unescaped quote inside a quoted path");
            }
            if (c != '\\')
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
                continue;
            }
            if (++i >= line.Length - 1)
            {
                throw Error(number, line, "ends a quoted path with a lone backslash");
            }
            var e = line[i];
            if (e is >= '0' and <= '3' && i + 2 < line.Length - 1 && line[i + 1] is >= '0' and <= '7' && line[i + 2] is >= '0' and <= '7')
            {
                bytes.Add((byte)(((e - '0') << 6) | ((line[i + 1] - '0') << 3) | (line[i + 2] - '0')));
                i += 2;
                continue;
            }
            bytes.Add(e switch
            {
                '"' => (byte)'"',
                '\\' => (byte)'\\',
                'a' => 7,
                'b' => 8,
                't' => 9,
                'n' => 10,
                'v' => 11,
                'f' => 12,
                'r' => 13,
                _ => throw Error(number, line, $"has an unknown escape '\\{e}' in a quoted path"),
            });
        }
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            throw Error(number, line, "is a quoted path that is not UTF-8");
        }
    }

    private static FormatException Error(int number, string line, string why)
    {
        var shown = line.Length > 80 ? line[..80] + "…" : line;
        return new FormatException($"change history line {number}: '{shown.Replace('\0', '?')}' {why}");
    }
}
