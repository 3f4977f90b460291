using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>Words: quoting, escapes and the <c>$VAR</c>/<c>${VAR}</c>/<c>$(...)</c>/backtick expansions inside them.</summary>
public static partial class ShellParser
{
    private sealed partial class State
    {
        // Characters that end a word or need the full word reader (quotes, escapes, expansions, glob characters).
        private static readonly System.Buffers.SearchValues<char> NotPlain = System.Buffers.SearchValues.Create(" \t\n\r;&|()<>\\'\"$`*?[{~");

        /// <summary>Reads one word up to an unquoted blank, newline or operator character.</summary>
        private ShellWord ReadWord()
        {
            var start = _pos;
            // Most words are plain (no quote, escape, expansion or glob): one substring serves as raw text and value.
            var plainEnd = text.AsSpan(start).IndexOfAny(NotPlain);
            plainEnd = plainEnd < 0 ? text.Length : start + plainEnd;
            if (plainEnd == text.Length || text[plainEnd] is ' ' or '\t' or '\n' or '\r' || IsOperatorChar(text[plainEnd]))
            {
                _pos = plainEnd;
                var plain = text[start..plainEnd];
                return new ShellWord(plain, plain, start, plainEnd, false, [], false);
            }
            var value = _word.Clear();
            var quoted = false;
            var substitution = false;
            var expansion = false;
            var glob = false;
            List<string>? variables = null;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c is ' ' or '\t' or '\n' or '\r' || IsOperatorChar(c))
                {
                    break;
                }
                if (c == '\\')
                {
                    if (Peek(1) == '\n')
                    {
                        _pos += 2;
                        continue;
                    }
                    _pos++;
                    if (_pos < text.Length)
                    {
                        value.Append(text[_pos++]);
                    }
                    quoted = true;
                    continue;
                }
                if (c == '\'')
                {
                    quoted = true;
                    var end = text.IndexOf('\'', _pos + 1);
                    _unterminated |= end < 0;
                    end = end < 0 ? text.Length : end;
                    value.Append(text, _pos + 1, end - _pos - 1);
                    _pos = Math.Min(text.Length, end + 1);
                    continue;
                }
                if (c == '"')
                {
                    quoted = true;
                    _pos++;
                    while (_pos < text.Length && text[_pos] != '"')
                    {
                        var d = text[_pos];
                        if (d == '\\' && _pos + 1 < text.Length && text[_pos + 1] is '$' or '`' or '"' or '\\' or '\n')
                        {
                            if (text[_pos + 1] != '\n')
                            {
                                value.Append(text[_pos + 1]);
                            }
                            _pos += 2;
                            continue;
                        }
                        if (d == '$' || d == '`')
                        {
                            expansion = true;
                            substitution |= ReadDollarOrBacktick(value, ref variables);
                            continue;
                        }
                        value.Append(d);
                        _pos++;
                    }
                    _unterminated |= _pos >= text.Length;
                    _pos = Math.Min(text.Length, _pos + 1);
                    continue;
                }
                if (c == '$' || c == '`')
                {
                    expansion = true;
                    substitution |= ReadDollarOrBacktick(value, ref variables);
                    continue;
                }
                glob |= c is '*' or '?' or '[' or '{' or '~';
                value.Append(c);
                _pos++;
            }
            var raw = text[start.._pos];
            // Most words are plain: share one string for raw text and value.
            var unquoted = value.Length == raw.Length && value.Equals(raw.AsSpan()) ? raw : value.ToString();
            return new ShellWord(raw, unquoted, start, _pos, quoted, variables ?? (IReadOnlyList<string>)[], substitution) { HasExpansion = expansion, HasGlob = glob };
        }

        /// <summary>Copies an expansion into the value verbatim; returns true for command substitution.</summary>
        private bool ReadDollarOrBacktick(StringBuilder value, ref List<string>? variables)
        {
            var start = _pos;
            if (text[_pos] == '`')
            {
                var end = _pos + 1;
                while (end < text.Length && text[end] != '`')
                {
                    end += text[end] == '\\' ? 2 : 1;
                }
                _unterminated |= end >= text.Length;
                _pos = Math.Min(text.Length, end + 1);
                value.Append(text, start, _pos - start);
                return true;
            }
            _pos++;
            var next = Peek(0);
            if (next == '(')
            {
                SkipBalanced('(', ')');
                value.Append(text, start, _pos - start);
                return true;
            }
            if (next == '{')
            {
                SkipBalanced('{', '}');
                var inner = text.AsSpan(start + 2, Math.Max(0, _pos - start - 3));
                var nameLength = 0;
                while (nameLength < inner.Length && (char.IsAsciiLetterOrDigit(inner[nameLength]) || inner[nameLength] == '_'))
                {
                    nameLength++;
                }
                if (nameLength > 0)
                {
                    (variables ??= []).Add(inner[..nameLength].ToString());
                }
                value.Append(text, start, _pos - start);
                return false;
            }
            var ns = _pos;
            if (_pos < text.Length && (char.IsAsciiLetter(text[_pos]) || text[_pos] == '_'))
            {
                while (_pos < text.Length && (char.IsAsciiLetterOrDigit(text[_pos]) || text[_pos] == '_'))
                {
                    _pos++;
                }
                (variables ??= []).Add(text[ns.._pos]);
            }
            else if (_pos < text.Length && (char.IsAsciiDigit(text[_pos]) || text[_pos] is '@' or '*' or '#' or '?' or '-' or '$' or '!'))
            {
                _pos++;
            }
            value.Append(text, start, _pos - start);
            return false;
        }

        /// <summary>Skips from an opening bracket to its match, minding quotes and nesting.</summary>
        private void SkipBalanced(char open, char close)
        {
            var depth = 0;
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c == '\\')
                {
                    _pos += 2;
                    continue;
                }
                if (c == '\'' && open == '(')
                {
                    var end = text.IndexOf('\'', _pos + 1);
                    _pos = end < 0 ? text.Length : end + 1;
                    continue;
                }
                if (c == '"')
                {
                    _pos++;
                    while (_pos < text.Length && text[_pos] != '"')
                    {
                        _pos += text[_pos] == '\\' ? 2 : 1;
                    }
                    _pos++;
                    continue;
                }
                _pos++;
                if (c == open)
                {
                    depth++;
                }
                else if (c == close && --depth == 0)
                {
                    break;
                }
            }
            _unterminated |= depth > 0;
            _pos = Math.Min(_pos, text.Length);
        }
    }
}
