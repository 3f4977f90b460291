using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// A port of BuildKit's Dockerfile parser (frontend/dockerfile/parser Parse): physical lines are joined
/// into logical instructions (comments and blank lines inside continuations are dropped), directives are
/// read at the top, heredoc bodies are consumed after their instruction. One pass, linear in the input.
/// </summary>
public static class DockerfileParser
{
    /// <summary>bufio.MaxScanTokenSize - 1: BuildKit refuses longer physical lines.</summary>
    public const int MaxLineBytes = 65535;

    public static ParseResult Parse(string text, string? path = null) => Parse(new SourceText(text, path));

    public static ParseResult Parse(SourceText source)
    {
        var text = source.Text;
        var directives = new ParserDirectives();
        var nodes = new List<Node>();
        var warnings = new List<ParseWarning>();
        List<string>? comments = null;
        var joined = new StringBuilder();
        var lineCount = source.LineCount;
        var index = 0; // next physical line (0-based); equals BuildKit's currentLine after reading

        while (index < lineCount)
        {
            var lineNo = index + 1;
            var start = source.LineStart(index);
            var end = CheckedContentEnd(source, index);
            index++;
            if (lineNo == 1 && start < end && text[start] == '\uFEFF')
            {
                start++;
            }
            var ws = SkipLeadingSpace(text, start, end);
            var isComment = ws < end && text[ws] == '#';
            var consumedAsDirective = !directives.Done && directives.Consider(text[ws..end], lineNo);
            if (isComment && !consumedAsDirective)
            {
                var comment = CommandSplitter.TrimSpace(text, Math.Min(start + 1, end), end);
                if (comment.Start == comment.End)
                {
                    comments = null;
                }
                else
                {
                    (comments ??= []).Add(text[comment.Start..comment.End]);
                }
            }
            if (isComment || ws == end)
            {
                continue; // a comment line or a blank line: trimContinuationCharacter("") gives an empty line
            }

            var escape = directives.Escape;
            var startLine = lineNo;
            var map = new JoinedLineMap();
            joined.Clear();
            var isEnd = AppendTrimmed(joined, map, text, ws, end, escape);
            var emptyContinuation = false;
            while (!isEnd && index < lineCount)
            {
                var s = source.LineStart(index);
                var e = CheckedContentEnd(source, index);
                index++;
                var w = SkipLeadingSpace(text, s, e);
                if (w < e && text[w] == '#')
                {
                    continue;
                }
                if (w == e)
                {
                    emptyContinuation = true;
                    continue;
                }
                isEnd = AppendTrimmed(joined, map, text, s, e, escape);
            }
            var line = joined.ToString();
            if (emptyContinuation)
            {
                warnings.Add(new ParseWarning("Empty continuation line found in: " + line, index));
            }

            Node node;
            try
            {
                node = NodeBuilder.FromLine(line, 0, escape);
            }
            catch (DockerfileParseException ex)
            {
                throw new DockerfileParseException(ex.Message, startLine, index);
            }

            if (NodeBuilder.CanContainHeredoc(node))
            {
                List<Heredoc> heredocs;
                try
                {
                    heredocs = HeredocDetector.FromLine(line);
                }
                catch (DockerfileParseException ex)
                {
                    throw new DockerfileParseException(ex.Message, startLine, index);
                }
                foreach (var heredoc in heredocs)
                {
                    var terminated = false;
                    var content = new StringBuilder();
                    heredoc.StartLine = index + 1;
                    while (index < lineCount)
                    {
                        var s = source.LineStart(index);
                        var e = CheckedContentEnd(source, index);
                        var full = source.LineEndIncludingBreak(index);
                        index++;
                        var t = s;
                        if (heredoc.Chomp)
                        {
                            while (t < e && text[t] == '\t')
                            {
                                t++;
                            }
                        }
                        if (e - t == heredoc.Name.Length && string.CompareOrdinal(text, t, heredoc.Name, 0, heredoc.Name.Length) == 0)
                        {
                            terminated = true;
                            break;
                        }
                        content.Append(text, s, full - s);
                    }
                    if (!terminated)
                    {
                        throw new DockerfileParseException($"unterminated heredoc {heredoc.Name}", startLine, index);
                    }
                    heredoc.EndLine = index;
                    heredoc.Content = content.ToString();
                    (node.Heredocs ??= []).Add(heredoc);
                }
            }

            node.StartLine = startLine;
            node.EndLine = index;
            node.Map = map;
            node.SourceStart = source.LineStart(startLine - 1);
            node.SourceEnd = source.LineEndIncludingBreak(index - 1);
            node.PrevComment = comments;
            comments = null;
            nodes.Add(node);
        }

        if (nodes.Count == 0)
        {
            throw new DockerfileParseException("file with no instructions", Math.Max(lineCount, 1));
        }

        return new ParseResult
        {
            Source = source,
            Instructions = nodes,
            Warnings = warnings,
            EscapeToken = directives.Escape,
            Directives = directives.Found,
        };
    }

    private static int CheckedContentEnd(SourceText source, int index)
    {
        var start = source.LineStart(index);
        var full = source.LineEndIncludingBreak(index);
        var length = full - start;
        if (length > MaxLineBytes / 3)
        {
            var withoutLf = full > start && source.Text[full - 1] == '\n' ? full - 1 : full;
            if (Encoding.UTF8.GetByteCount(source.Text.AsSpan(start, withoutLf - start)) > MaxLineBytes)
            {
                throw new DockerfileParseException($"dockerfile line greater than max allowed size of {MaxLineBytes}", index + 1);
            }
        }
        return source.LineContentEnd(index);
    }

    private static int SkipLeadingSpace(string text, int start, int end)
    {
        while (start < end && CommandSplitter.IsSpace(text[start]))
        {
            start++;
        }
        return start;
    }

    /// <summary>
    /// Appends a physical line minus a trailing line-continuation (the escape character, optionally followed
    /// by blanks, not itself escaped). Returns true when the instruction ends on this line.
    /// </summary>
    private static bool AppendTrimmed(StringBuilder joined, JoinedLineMap map, string text, int start, int end, char escape)
    {
        var t = end;
        while (t > start && text[t - 1] is ' ' or '\t')
        {
            t--;
        }
        var continues = false;
        if (t > start && text[t - 1] == escape)
        {
            var escapeAt = t - 1;
            if (escapeAt == start || text[escapeAt - 1] != escape)
            {
                continues = true;
                end = escapeAt;
            }
        }
        map.Add(joined.Length, start);
        joined.Append(text, start, end - start);
        return !continues;
    }
}
