using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>BuildKit's splitCommand/extractBuilderFlags: keyword, leading <c>--flags</c>, and the rest, with offsets.</summary>
internal static class CommandSplitter
{
    internal readonly record struct Split(string Command, int CommandStart, List<string>? Flags, List<(int Start, int End)>? FlagRanges, string Rest, int RestStart);

    /// <summary>Go's unicode.IsSpace.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r' || (c >= 0x85 && char.IsWhiteSpace(c));

    /// <summary>The separator class BuildKit splits words on: [\t\v\f\r ].</summary>
    public static bool IsTokenWhitespace(char c) => c is ' ' or '\t' or '\v' or '\f' or '\r';

    public static Split SplitCommand(string line, int offset)
    {
        var (start, end) = TrimSpace(line, offset, line.Length);
        var cmdEnd = start;
        while (cmdEnd < end && !IsTokenWhitespace(line[cmdEnd]))
        {
            cmdEnd++;
        }
        var cmd = Keywords.Intern(line.AsSpan(start, cmdEnd - start));
        if (cmdEnd == end)
        {
            return new Split(cmd, start, null, null, "", end);
        }
        var argStart = cmdEnd;
        while (argStart < end && IsTokenWhitespace(line[argStart]))
        {
            argStart++;
        }
        // Go splits the trimmed line, so the rest ends where the trimmed line ends.
        var (restStart, flags, ranges) = ExtractBuilderFlags(line, argStart, end);
        var (rs, re) = TrimSpace(line, restStart, end);
        return new Split(cmd, start, flags, ranges, line[rs..re], rs);
    }

    public static (int Start, int End) TrimSpace(string s, int start, int end)
    {
        while (start < end && IsSpace(s[start]))
        {
            start++;
        }
        while (end > start && IsSpace(s[end - 1]))
        {
            end--;
        }
        return (start, end);
    }

    /// <summary>
    /// Flags are the words right after the keyword that start with "--"; a bare "--" ends them and is dropped.
    /// Quotes are removed and a backslash escapes the next character. BuildKit walks bytes here, so a
    /// non-ASCII character comes out as its UTF-8 bytes read as Latin-1; that is reproduced.
    /// </summary>
    private static (int RestStart, List<string>? Flags, List<(int, int)>? Ranges) ExtractBuilderFlags(string line, int start, int end)
    {
        if (start + 1 >= end || line[start] != '-' || line[start + 1] != '-')
        {
            return (start, null, null);
        }
        List<string>? words = null;
        List<(int, int)>? ranges = null;
        var word = new StringBuilder();
        var inWord = false;
        var inQuote = false;
        var quote = '\0';
        var blankOk = false;
        var wordStart = start;
        for (var pos = start; pos <= end; pos++)
        {
            var ch = pos < end ? line[pos] : '\0';
            if (!inWord && !inQuote)
            {
                if (pos == end)
                {
                    break;
                }
                if (IsAsciiSpace(ch))
                {
                    continue;
                }
                if (ch != '-' || pos + 1 == end || line[pos + 1] != '-')
                {
                    return (pos, words, ranges);
                }
                inWord = true;
                wordStart = pos;
            }
            if (pos == end)
            {
                if (!IsDoubleDash(word) && (blankOk || word.Length > 0))
                {
                    Add(ref words, ref ranges, word.ToString(), wordStart, pos);
                }
                break;
            }
            if (inWord)
            {
                if (IsAsciiSpace(ch))
                {
                    inWord = false;
                    if (IsDoubleDash(word))
                    {
                        return (pos, words, ranges);
                    }
                    if (blankOk || word.Length > 0)
                    {
                        Add(ref words, ref ranges, word.ToString(), wordStart, pos);
                    }
                    word.Clear();
                    blankOk = false;
                    continue;
                }
                if (ch is '\'' or '"')
                {
                    quote = ch;
                    blankOk = true;
                    inWord = false;
                    inQuote = true;
                    continue;
                }
                if (ch == '\\')
                {
                    if (pos + 1 == end)
                    {
                        continue;
                    }
                    pos++;
                    ch = line[pos];
                }
                AppendByteWise(word, line, ref pos);
                continue;
            }
            // in quote
            if (ch == quote)
            {
                inQuote = false;
                inWord = true;
                continue;
            }
            if (ch == '\\')
            {
                if (pos + 1 == end)
                {
                    inQuote = false;
                    inWord = true;
                    continue;
                }
                pos++;
            }
            AppendByteWise(word, line, ref pos);
        }
        return (end, words, ranges);
    }

    private static bool IsDoubleDash(StringBuilder word) => word.Length == 2 && word[0] == '-' && word[1] == '-';

    private static bool IsAsciiSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static void Add(ref List<string>? words, ref List<(int, int)>? ranges, string word, int start, int end)
    {
        (words ??= []).Add(word);
        (ranges ??= []).Add((start, end));
    }

    private static void AppendByteWise(StringBuilder word, string line, ref int pos)
    {
        var c = line[pos];
        if (c < 0x80)
        {
            word.Append(c);
            return;
        }
        var len = char.IsHighSurrogate(c) && pos + 1 < line.Length && char.IsLowSurrogate(line[pos + 1]) ? 2 : 1;
        Span<byte> bytes = stackalloc byte[4];
        var n = Encoding.UTF8.GetBytes(line.AsSpan(pos, len), bytes);
        for (var i = 0; i < n; i++)
        {
            word.Append((char)bytes[i]);
        }
        pos += len - 1;
    }
}
