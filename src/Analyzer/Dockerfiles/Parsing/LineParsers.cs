using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// BuildKit's per-instruction argument parsers (line_parsers.go). Each turns the text after the keyword
/// and flags into the chain of <see cref="Node"/> values that the AST dump prints; offsets refer to the joined line.
/// </summary>
internal static class LineParsers
{
    private const int MaxOnbuildDepth = 32;

    internal sealed record Parsed(Node? Next, bool IsJson);

    public static Parsed Dispatch(string keywordLower, string line, string rest, int restStart, char escape, int depth)
    {
        switch (keywordLower)
        {
            case "add":
            case "copy":
            case "volume":
                return ParseMaybeJsonToList(line, rest, restStart);
            case "arg":
                return new Parsed(ParseNameOrNameVal(rest, restStart, escape), false);
            case "cmd":
            case "entrypoint":
            case "run":
            case "shell":
                return ParseMaybeJson(line, rest, restStart);
            case "env":
                return new Parsed(ParseNameVal(rest, restStart, "ENV", escape), false);
            case "label":
                return new Parsed(ParseNameVal(rest, restStart, "LABEL", escape), false);
            case "expose":
            case "from":
                return new Parsed(ParseWhitespaceDelimited(rest, restStart), false);
            case "healthcheck":
                return ParseHealthConfig(line, rest, restStart);
            case "maintainer":
            case "stopsignal":
            case "user":
            case "workdir":
                return new Parsed(rest.Length == 0 ? null : Leaf(rest, restStart, restStart + rest.Length), false);
            case "onbuild":
                return ParseSubCommand(line, rest, restStart, escape, depth);
            default:
                return new Parsed(new Node(), false);
        }
    }

    private static Node Leaf(string value, int start, int end) => new() { Value = value, Start = start, End = end };

    private static Parsed ParseSubCommand(string line, string rest, int restStart, char escape, int depth)
    {
        if (rest.Length == 0)
        {
            return new Parsed(null, false);
        }
        if (depth >= MaxOnbuildDepth)
        {
            throw new DockerfileParseException($"ONBUILD nested more than {MaxOnbuildDepth} levels deep", 0);
        }
        var child = NodeBuilder.FromLine(line, restStart, escape, depth + 1);
        return new Parsed(new Node { Children = [child], Start = restStart, End = restStart + rest.Length }, false);
    }

    private static Parsed ParseMaybeJson(string line, string rest, int restStart)
    {
        if (rest.Length == 0)
        {
            return new Parsed(null, false);
        }
        var json = ParseJson(line, restStart, restStart + rest.Length, out var node);
        return json switch
        {
            JsonArrayReader.Outcome.StringArray => new Parsed(node, true),
            JsonArrayReader.Outcome.NotStringArray => throw new DockerfileParseException(JsonArrayReader.NotStringArrayMessage, 0),
            _ => new Parsed(Leaf(rest, restStart, restStart + rest.Length), false),
        };
    }

    private static Parsed ParseMaybeJsonToList(string line, string rest, int restStart)
    {
        var json = ParseJson(line, restStart, restStart + rest.Length, out var node);
        return json switch
        {
            JsonArrayReader.Outcome.StringArray => new Parsed(node, true),
            JsonArrayReader.Outcome.NotStringArray => throw new DockerfileParseException(JsonArrayReader.NotStringArrayMessage, 0),
            _ => new Parsed(ParseWhitespaceDelimited(rest, restStart), false),
        };
    }

    private static Parsed ParseHealthConfig(string line, string rest, int restStart)
    {
        var sep = 0;
        while (sep < rest.Length && !CommandSplitter.IsSpace(rest[sep]))
        {
            sep++;
        }
        var next = sep;
        while (next < rest.Length && CommandSplitter.IsSpace(rest[next]))
        {
            next++;
        }
        if (sep == 0)
        {
            return new Parsed(null, false);
        }
        var type = Leaf(rest[..sep], restStart, restStart + sep);
        var cmd = ParseMaybeJson(line, rest[next..], restStart + next);
        type.Next = cmd.Next;
        return new Parsed(type, cmd.IsJson);
    }

    private static JsonArrayReader.Outcome ParseJson(string line, int start, int end, out Node? first)
    {
        first = null;
        while (start < end && CommandSplitter.IsSpace(line[start]))
        {
            start++;
        }
        if (start >= end || line[start] != '[')
        {
            return JsonArrayReader.Outcome.NotJson;
        }
        var text = end == line.Length && start == 0 ? line : line[start..end];
        var outcome = JsonArrayReader.TryRead(text, 0, out var elements);
        if (outcome != JsonArrayReader.Outcome.StringArray)
        {
            return outcome;
        }
        Node? prev = null;
        foreach (var (value, s, e) in elements)
        {
            var node = Leaf(value, start + s, start + e);
            if (prev == null)
            {
                first = node;
            }
            else
            {
                prev.Next = node;
            }
            prev = node;
        }
        return outcome;
    }

    /// <summary>Split on runs of [\t\v\f\r ]; quotes mean nothing here.</summary>
    public static Node? ParseWhitespaceDelimited(string rest, int restStart)
    {
        if (rest.Length == 0)
        {
            return null;
        }
        Node? first = null;
        Node? prev = null;
        var pos = 0;
        while (true)
        {
            var wordStart = pos;
            while (pos < rest.Length && !CommandSplitter.IsTokenWhitespace(rest[pos]))
            {
                pos++;
            }
            var node = Leaf(rest[wordStart..pos], restStart + wordStart, restStart + pos);
            if (prev == null)
            {
                first = node;
            }
            else
            {
                prev.Next = node;
            }
            prev = node;
            if (pos >= rest.Length)
            {
                break;
            }
            while (pos < rest.Length && CommandSplitter.IsTokenWhitespace(rest[pos]))
            {
                pos++;
            }
        }
        return first;
    }

    private static Node? ParseNameOrNameVal(string rest, int restStart, char escape)
    {
        Node? first = null;
        Node? prev = null;
        foreach (var (word, s, e) in ParseWords(rest, escape))
        {
            var node = Leaf(word, restStart + s, restStart + e);
            if (prev == null)
            {
                first = node;
            }
            else
            {
                prev.Next = node;
            }
            prev = node;
        }
        return first;
    }

    private static Node? ParseNameVal(string rest, int restStart, string key, char escape)
    {
        var words = ParseWords(rest, escape);
        if (words.Count == 0)
        {
            return null;
        }
        if (!words[0].Word.Contains('=', StringComparison.Ordinal))
        {
            // Legacy "KEY name value": the value is the verbatim rest after the first whitespace run.
            var sep = 0;
            while (sep < rest.Length && !CommandSplitter.IsTokenWhitespace(rest[sep]))
            {
                sep++;
            }
            if (sep >= rest.Length)
            {
                throw new DockerfileParseException(key + " must have two arguments", 0);
            }
            var valueStart = sep;
            while (valueStart < rest.Length && CommandSplitter.IsTokenWhitespace(rest[valueStart]))
            {
                valueStart++;
            }
            return Triple(rest[..sep], restStart, restStart + sep, rest[valueStart..], restStart + valueStart, restStart + rest.Length, "");
        }
        Node? first = null;
        Node? tail = null;
        foreach (var (word, s, e) in words)
        {
            var eq = word.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new DockerfileParseException($"Syntax error - can't find = in {AstDumper.GoQuote(word)}. Must be of the form: name=value", 0);
            }
            var node = Triple(word[..eq], restStart + s, restStart + s + eq, word[(eq + 1)..], restStart + s + eq + 1, restStart + e, "=");
            if (first == null)
            {
                first = node;
            }
            else
            {
                tail!.Next = node;
            }
            tail = node.Next!.Next;
        }
        return first;
    }

    private static Node Triple(string key, int ks, int ke, string value, int vs, int ve, string sep)
    {
        var sepNode = new Node { Value = sep };
        var valueNode = Leaf(value, vs, ve);
        valueNode.Next = sepNode;
        var keyNode = Leaf(key, ks, ke);
        keyNode.Next = valueNode;
        return keyNode;
    }

    /// <summary>
    /// BuildKit's parseWords: split at whitespace outside quotes; quotes and escapes are kept in the words.
    /// Offsets are approximate only when a word's raw text holds a trailing escape that was dropped.
    /// </summary>
    public static List<(string Word, int Start, int End)> ParseWords(string rest, char escape)
    {
        var words = new List<(string, int, int)>();
        var word = new StringBuilder();
        var inSpaces = true;
        var inQuote = false;
        var quote = '\0';
        var blankOk = false;
        var wordStart = 0;
        for (var pos = 0; pos <= rest.Length; pos++)
        {
            var ch = pos < rest.Length ? rest[pos] : '\0';
            if (inSpaces)
            {
                if (pos == rest.Length)
                {
                    break;
                }
                if (CommandSplitter.IsSpace(ch))
                {
                    continue;
                }
                inSpaces = false;
                wordStart = pos;
            }
            if (pos == rest.Length)
            {
                if (blankOk || word.Length > 0)
                {
                    words.Add((word.ToString(), wordStart, pos));
                }
                break;
            }
            if (!inQuote)
            {
                if (CommandSplitter.IsSpace(ch))
                {
                    inSpaces = true;
                    if (blankOk || word.Length > 0)
                    {
                        words.Add((word.ToString(), wordStart, pos));
                    }
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    inQuote = true;
                }
                if (ch == escape)
                {
                    if (pos + 1 == rest.Length)
                    {
                        continue;
                    }
                    word.Append(ch);
                    pos++;
                    ch = rest[pos];
                }
                word.Append(ch);
                continue;
            }
            if (ch == quote)
            {
                inQuote = false;
            }
            if (ch == escape && quote != '\'')
            {
                if (pos + 1 == rest.Length)
                {
                    inQuote = false;
                    continue;
                }
                pos++;
                word.Append(ch);
                ch = rest[pos];
            }
            word.Append(ch);
        }
        return words;
    }
}
