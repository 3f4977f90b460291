namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>A parser directive at the top of the file (<c># syntax=</c>, <c># escape=</c>, <c># check=</c>).</summary>
public sealed record ParserDirective(string Name, string Value, int Line);

/// <summary>
/// BuildKit's directive scanner: only at the top, one per line, <c>#\s*name\s*=\s*value</c>; the first line
/// that is not a known directive ends scanning for good.
/// </summary>
internal sealed class ParserDirectives
{
    private static readonly string[] Known = ["syntax", "escape", "check"];

    public char Escape { get; private set; } = '\\';

    public bool Done { get; private set; }

    public List<ParserDirective> Found { get; } = [];

    /// <summary>Returns true when the line was consumed as a directive.</summary>
    public bool Consider(string token, int line)
    {
        if (Done)
        {
            return false;
        }
        if (!TryMatch(token, out var name, out var value))
        {
            Done = true;
            return false;
        }
        var key = name.ToLowerInvariant();
        if (Array.IndexOf(Known, key) < 0)
        {
            Done = true;
            return false;
        }
        if (Found.Exists(d => d.Name == key))
        {
            throw new DockerfileParseException($"only one {key} parser directive can be used", line);
        }
        if (key == "escape")
        {
            if (value is not ("`" or "\\"))
            {
                throw new DockerfileParseException($"invalid escape token '{value}' does not match ` or \\", line);
            }
            Escape = value[0];
        }
        Found.Add(new ParserDirective(key, value, line));
        return true;
    }

    // ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$ with Go's \s = [\t\n\f\r ].
    private static bool TryMatch(string s, out string name, out string value)
    {
        name = value = "";
        if (s.Length == 0 || s[0] != '#')
        {
            return false;
        }
        var p = 1;
        while (p < s.Length && IsGoSpace(s[p]))
        {
            p++;
        }
        var ns = p;
        if (p >= s.Length || !char.IsAsciiLetter(s[p]))
        {
            return false;
        }
        while (p < s.Length && char.IsAsciiLetterOrDigit(s[p]))
        {
            p++;
        }
        name = s[ns..p];
        while (p < s.Length && IsGoSpace(s[p]))
        {
            p++;
        }
        if (p >= s.Length || s[p] != '=')
        {
            return false;
        }
        p++;
        var afterEquals = p;
        while (p < s.Length && IsGoSpace(s[p]))
        {
            p++;
        }
        if (p == s.Length && afterEquals < s.Length)
        {
            // Only blanks after '=': the lazy (.+?) backtracks and takes the last blank.
            value = s[^1..];
            return true;
        }
        var end = s.Length;
        while (end > p && IsGoSpace(s[end - 1]))
        {
            end--;
        }
        if (end <= p)
        {
            return false;
        }
        value = s[p..end];
        return true;
    }

    private static bool IsGoSpace(char c) => c is ' ' or '\t' or '\n' or '\f' or '\r';
}
