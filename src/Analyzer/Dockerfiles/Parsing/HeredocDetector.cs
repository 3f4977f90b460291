using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// Finds heredoc words (<c>[fd]&lt;&lt;[-]WORD</c>) in an instruction line the way BuildKit's heredocsFromLine does:
/// shell words with quotes and escapes kept raw, then the name unquoted; any quoting turns expansion off.
/// </summary>
internal static class HeredocDetector
{
    public static List<Heredoc> FromLine(string line)
    {
        if (!line.Contains("<<", StringComparison.Ordinal))
        {
            return [];
        }
        var result = new List<Heredoc>();
        var words = RawWords(line);
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            var lt = word.IndexOf("<<", StringComparison.Ordinal);
            if (lt < 0)
            {
                continue;
            }
            var fd = word[..lt];
            if (!fd.All(char.IsAsciiDigit))
            {
                continue;
            }
            var p = lt + 2;
            var chomp = p < word.Length && word[p] == '-';
            if (chomp)
            {
                p++;
            }
            var rest = word[p..];
            // "<<  EOF": BuildKit's lexer absorbs blanks right after "<<" (not after "<<-") into the word.
            if (rest.Length == 0 && !chomp && i + 1 < words.Count && !words[i + 1].Contains('<', StringComparison.Ordinal))
            {
                rest = words[++i];
            }
            if (rest.Length == 0 || rest.Contains('<', StringComparison.Ordinal))
            {
                continue;
            }
            var name = Unquote(rest, out var quoteRemoved);
            if (name == null)
            {
                continue;
            }
            var descriptor = fd.Length == 0 ? 0 : (int)Math.Min(int.MaxValue, ulong.TryParse(fd, out var n) ? n : 0);
            result.Add(new Heredoc(name, descriptor, !quoteRemoved, chomp));
        }
        return result;
    }

    /// <summary>Shell words split at unquoted blanks, quotes and backslashes kept as written.</summary>
    private static List<string> RawWords(string line)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        var quote = '\0';
        var has = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quote == '\0')
            {
                if (c is ' ' or '\t' or '\n' or '\r' or '\v' or '\f')
                {
                    if (has)
                    {
                        words.Add(sb.ToString());
                        sb.Clear();
                        has = false;
                    }
                    continue;
                }
                has = true;
                if (c == '\\' && i + 1 < line.Length)
                {
                    sb.Append(c).Append(line[++i]);
                    continue;
                }
                if (c is '\'' or '"')
                {
                    quote = c;
                }
                sb.Append(c);
                continue;
            }
            if (c == '\\' && quote == '"' && i + 1 < line.Length)
            {
                sb.Append(c).Append(line[++i]);
                continue;
            }
            if (c == quote)
            {
                quote = '\0';
            }
            sb.Append(c);
        }
        if (has)
        {
            words.Add(sb.ToString());
        }
        return words;
    }

    /// <summary>The heredoc name with quotes removed; null when the word is not one shell word. Throws on an unbalanced quote.</summary>
    private static string? Unquote(string word, out bool quoteRemoved)
    {
        quoteRemoved = false;
        var sb = new StringBuilder();
        for (var i = 0; i < word.Length; i++)
        {
            var c = word[i];
            if (c is ' ' or '\t')
            {
                return null;
            }
            if (c == '\\')
            {
                if (i + 1 < word.Length)
                {
                    sb.Append(word[++i]);
                }
                continue;
            }
            if (c == '\'')
            {
                var end = word.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw new DockerfileParseException("unexpected end of statement while looking for matching single-quote", 0);
                }
                sb.Append(word, i + 1, end - i - 1);
                quoteRemoved = true;
                i = end;
                continue;
            }
            if (c == '"')
            {
                var j = i + 1;
                for (; j < word.Length && word[j] != '"'; j++)
                {
                    if (word[j] == '\\' && j + 1 < word.Length && word[j + 1] is '"' or '\\' or '$')
                    {
                        j++;
                    }
                    sb.Append(word[j]);
                }
                if (j >= word.Length)
                {
                    throw new DockerfileParseException("unexpected end of statement while looking for matching double-quote", 0);
                }
                quoteRemoved = true;
                i = j;
                continue;
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}
