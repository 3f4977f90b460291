using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// A POSIX-shell tokenizer and command splitter for RUN shell form and heredoc bodies: quotes, escapes,
/// line continuations, <c>&amp;&amp; || ; | &amp;</c>, newlines, subshells and groups, redirections,
/// here-documents and here-strings, <c>$VAR</c>/<c>${VAR}</c>/<c>$(...)</c>/backticks inside words,
/// comments, and control keywords (if/then/for/while...). Single forward pass; never throws on bad input.
/// </summary>
public static partial class ShellParser
{
    private static readonly HashSet<string> OpeningKeywords = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "do", "while", "until", "!", "{", "fi", "done", "esac", "}",
    };

    public static ShellScript Parse(string text)
    {
        var script = new ShellScript();
        var state = new State(text);
        state.Run(script);
        return script;
    }

    // The state machine: commands, operators, redirections and here-documents here; words (quotes, escapes,
    // expansions) in ShellParser.Words.cs.
    private sealed partial class State(string text)
    {
        private static readonly string[] RedirectOperators = ["&>>", "&>", "<<<", "<<-", "<<", "<&", "<>", ">>", ">&", ">|", "<", ">"];
        private readonly StringBuilder _word = new();
        private readonly List<ShellRedirect> _pendingHeredocs = [];
        private readonly List<bool> _pendingChomp = [];
        private int _pos;
        private int _depth;
        private ShellCommand _current = new();
        private bool _skipForHeader;
        private bool _unterminated;
        private readonly HashSet<string> _keywords = new(StringComparer.Ordinal);

        public void Run(ShellScript script)
        {
            _current.Start = 0;
            while (true)
            {
                SkipBlanks();
                if (_pos >= text.Length)
                {
                    Finish(script, null);
                    break;
                }
                var c = text[_pos];
                if (c == '\n')
                {
                    _pos++;
                    Finish(script, "\n");
                    ReadHeredocBodies();
                    continue;
                }
                if (c == '#')
                {
                    while (_pos < text.Length && text[_pos] != '\n')
                    {
                        _pos++;
                    }
                    continue;
                }
                if (c is ';' or '&' or '|')
                {
                    if (c == '&' && Peek(1) == '>')
                    {
                        ReadRedirect(null);
                        continue;
                    }
                    Finish(script, ReadOperator());
                    continue;
                }
                if (c == '(')
                {
                    _pos++;
                    if (Peek(0) == '(')
                    {
                        // Arithmetic command (( ... )): keep as one word.
                        var arithmeticStart = _pos - 1;
                        _pos = arithmeticStart;
                        SkipBalanced('(', ')');
                        var raw = text[arithmeticStart.._pos];
                        AddWord(new ShellWord(raw, raw, arithmeticStart, _pos, false, [], false));
                        continue;
                    }
                    Finish(script, "(");
                    _depth++;
                    _current.Depth = _depth;
                    continue;
                }
                if (c == ')')
                {
                    _pos++;
                    Finish(script, ")");
                    _depth = Math.Max(0, _depth - 1);
                    _current.Depth = _depth;
                    continue;
                }
                if (c is '<' or '>')
                {
                    ReadRedirect(null);
                    continue;
                }
                if (char.IsAsciiDigit(c))
                {
                    var p = _pos;
                    while (p < text.Length && char.IsAsciiDigit(text[p]))
                    {
                        p++;
                    }
                    if (p < text.Length && text[p] is '<' or '>' && p - _pos < 6)
                    {
                        var fd = int.Parse(text.AsSpan(_pos, p - _pos), System.Globalization.CultureInfo.InvariantCulture);
                        _pos = p;
                        ReadRedirect(fd);
                        continue;
                    }
                }
                AddWord(ReadWord());
            }
            script.Unterminated = _unterminated;
            if (_keywords.Count > 0)
            {
                script.ControlKeywords.UnionWith(_keywords);
            }
            script.SetsErrexit = script.Commands.Exists(cmd => cmd.Name == "set" && HasSetOption(cmd, 'e', "errexit"));
            script.SetsPipefail = script.Commands.Exists(cmd => cmd.Name == "set" && HasSetOption(cmd, '\0', "pipefail"));
        }

        private static bool HasSetOption(ShellCommand cmd, char letter, string longName)
        {
            var words = cmd.Words;
            for (var i = 1; i < words.Count; i++)
            {
                var v = words[i].Value;
                if (v == "-o" && i + 1 < words.Count && words[i + 1].Value == longName)
                {
                    return true;
                }
                if (letter != '\0' && v.Length > 1 && v[0] == '-' && v[1] != '-' && v.Contains(letter, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            return false;
        }

        private char Peek(int ahead) => _pos + ahead < text.Length ? text[_pos + ahead] : '\0';

        private void SkipBlanks()
        {
            while (_pos < text.Length)
            {
                var c = text[_pos];
                if (c is ' ' or '\t' or '\r')
                {
                    _pos++;
                }
                else if (c == '\\' && Peek(1) == '\n')
                {
                    _pos += 2;
                }
                else if (c == '\\' && Peek(1) == '\r' && Peek(2) == '\n')
                {
                    _pos += 3;
                }
                else
                {
                    break;
                }
            }
        }

        private string ReadOperator()
        {
            var c = text[_pos];
            var n = Peek(1);
            string op = (c, n) switch
            {
                ('&', '&') => "&&",
                ('|', '|') => "||",
                ('|', '&') => "|&",
                (';', ';') => ";;",
                _ => c.ToString(),
            };
            _pos += op.Length;
            return op;
        }

        private void ReadRedirect(int? fd)
        {
            var start = _pos;
            var op = Array.Find(RedirectOperators, o => string.CompareOrdinal(text, _pos, o, 0, o.Length) == 0)!;
            _pos += op.Length;
            SkipBlanks();
            ShellWord? target = null;
            if (_pos < text.Length && !IsOperatorChar(text[_pos]) && text[_pos] != '\n')
            {
                target = ReadWord();
            }
            var redirect = new ShellRedirect(op, fd, target);
            _current.Redirects.Add(redirect);
            if (_current.Words.Count == 0 && _current.AssignmentCount == 0 && _current.RedirectCount == 1)
            {
                _current.Start = start;
            }
            if (op is "<<" or "<<-" && target != null)
            {
                _pendingHeredocs.Add(redirect);
                _pendingChomp.Add(op == "<<-");
            }
        }

        private void ReadHeredocBodies()
        {
            for (var i = 0; i < _pendingHeredocs.Count; i++)
            {
                var delimiter = _pendingHeredocs[i].Target!.Value;
                var body = new StringBuilder();
                while (_pos < text.Length)
                {
                    var nl = text.IndexOf('\n', _pos);
                    var lineEnd = nl < 0 ? text.Length : nl;
                    var next = nl < 0 ? text.Length : nl + 1;
                    var ls = _pos;
                    if (_pendingChomp[i])
                    {
                        while (ls < lineEnd && text[ls] == '\t')
                        {
                            ls++;
                        }
                    }
                    var le = lineEnd > ls && text[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
                    var isEnd = le - ls == delimiter.Length && string.CompareOrdinal(text, ls, delimiter, 0, delimiter.Length) == 0;
                    if (!isEnd)
                    {
                        body.Append(text, _pos, next - _pos);
                    }
                    _pos = next;
                    if (isEnd)
                    {
                        break;
                    }
                }
                _pendingHeredocs[i].HereDocument = body.ToString();
            }
            _pendingHeredocs.Clear();
            _pendingChomp.Clear();
        }

        private static bool IsOperatorChar(char c) => c is ';' or '&' or '|' or '(' or ')' or '<' or '>';

        private void AddWord(ShellWord word)
        {
            if (_skipForHeader)
            {
                return; // "for NAME in WORDS" until the separator
            }
            if (_current.Words.Count == 0 && !word.Quoted)
            {
                if (OpeningKeywords.Contains(word.Raw))
                {
                    _keywords.Add(word.Raw);
                    return;
                }
                if (word.Raw is "for" or "select" or "case")
                {
                    _keywords.Add(word.Raw);
                    _skipForHeader = true;
                    return;
                }
                var eq = word.Raw.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0 && IsName(word.Raw.AsSpan(0, eq)))
                {
                    if (_current.AssignmentCount == 0 && _current.RedirectCount == 0)
                    {
                        _current.Start = word.Start;
                    }
                    _current.Assignments.Add(word);
                    return;
                }
            }
            if (_current.Words.Count == 0 && _current.AssignmentCount == 0 && _current.RedirectCount == 0)
            {
                _current.Start = word.Start;
            }
            _current.Words.Add(word);
            _current.End = word.End;
        }

        private static bool IsName(ReadOnlySpan<char> s)
        {
            if (s.Length == 0 || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
            {
                return false;
            }
            foreach (var c in s)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                {
                    return false;
                }
            }
            return true;
        }

        private void Finish(ShellScript script, string? connector)
        {
            _skipForHeader = false;
            if (_current.Words.Count > 0 || _current.AssignmentCount > 0 || _current.RedirectCount > 0)
            {
                _current.Connector = connector;
                _current.Depth = _depth;
                if (_current.End < _current.Start)
                {
                    _current.End = _pos;
                }
                script.Commands.Add(_current);
            }
            else if (script.Commands.Count > 0 && connector is not ("\n" or "(" or ")") && script.Commands[^1].Connector is null or "\n")
            {
                script.Commands[^1].Connector = connector;
            }
            _current = new ShellCommand { Start = _pos, Depth = _depth };
        }
    }
}
