using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// BuildKit's word expansion (frontend/dockerfile/shell lex.go ProcessWord) for the instructions it expands:
/// single quotes literal, double quotes with escapes for <c>" $</c> and the escape character, <c>$VAR</c>,
/// <c>${VAR}</c>, <c>${VAR:-x}</c>, <c>${VAR-x}</c>, <c>${VAR:+x}</c>, <c>${VAR+x}</c>, <c>${VAR:?x}</c>, <c>${VAR?x}</c>.
/// Reports every name it looked up and those that were not defined.
/// </summary>
public sealed class VariableExpander
{
    private readonly Func<string, string?> _lookup;
    private readonly char _escape;
    private string _text = "";
    private int _pos;

    public VariableExpander(Func<string, string?> lookup, char escape = '\\')
    {
        _lookup = lookup;
        _escape = escape;
    }

    /// <summary>Names referenced but not defined, in order of appearance (those with a default still count as unmatched).</summary>
    public List<string> Unmatched { get; } = [];

    public List<string> Referenced { get; } = [];

    public string ProcessWord(string word)
    {
        _text = word;
        _pos = 0;
        return ProcessUntil('\0');
    }

    private bool AtEnd => _pos >= _text.Length;

    private string ProcessUntil(char stop)
    {
        var sb = new StringBuilder();
        while (!AtEnd)
        {
            var c = _text[_pos];
            if (stop != '\0' && c == stop)
            {
                _pos++;
                return sb.ToString();
            }
            if (c == '\'')
            {
                _pos++;
                var end = _text.IndexOf('\'', _pos);
                if (end < 0)
                {
                    throw new FormatException("unexpected end of statement while looking for matching single-quote");
                }
                sb.Append(_text, _pos, end - _pos);
                _pos = end + 1;
            }
            else if (c == '"')
            {
                _pos++;
                ProcessDoubleQuote(sb);
            }
            else if (c == '$')
            {
                _pos++;
                sb.Append(ProcessDollar());
            }
            else if (c == _escape)
            {
                _pos++;
                if (!AtEnd)
                {
                    sb.Append(_text[_pos++]);
                }
            }
            else
            {
                sb.Append(c);
                _pos++;
            }
        }
        if (stop != '\0')
        {
            throw new FormatException($"unexpected end of statement while looking for matching {stop}");
        }
        return sb.ToString();
    }

    private void ProcessDoubleQuote(StringBuilder sb)
    {
        while (true)
        {
            if (AtEnd)
            {
                throw new FormatException("unexpected end of statement while looking for matching double-quote");
            }
            var c = _text[_pos];
            if (c == '"')
            {
                _pos++;
                return;
            }
            if (c == '$')
            {
                _pos++;
                sb.Append(ProcessDollar());
                continue;
            }
            _pos++;
            if (c == _escape && !AtEnd)
            {
                var next = _text[_pos];
                if (next == '"' || next == '$' || next == _escape)
                {
                    c = next;
                    _pos++;
                }
            }
            sb.Append(c);
        }
    }

    private string ProcessDollar()
    {
        if (AtEnd)
        {
            return "$";
        }
        var c = _text[_pos];
        if (c != '{')
        {
            var name = ReadName();
            if (name.Length == 0)
            {
                return "$";
            }
            return Lookup(name) ?? "";
        }
        _pos++;
        var braced = ReadName();
        if (braced.Length == 0 || AtEnd)
        {
            throw new FormatException("bad substitution");
        }
        var op = _text[_pos];
        if (op == '}')
        {
            _pos++;
            return Lookup(braced) ?? "";
        }
        var colon = false;
        if (op == ':')
        {
            colon = true;
            _pos++;
            if (AtEnd)
            {
                throw new FormatException("bad substitution");
            }
            op = _text[_pos];
        }
        if (op is not ('-' or '+' or '?'))
        {
            // Pattern operators (#, %, /) are not modelled: take the word and keep the value.
            var rest = ProcessUntil('}');
            _ = rest;
            return Lookup(braced) ?? "";
        }
        _pos++;
        var word = ProcessUntil('}');
        var value = Lookup(braced);
        var isSet = value != null;
        var nonEmpty = !string.IsNullOrEmpty(value);
        var present = colon ? nonEmpty : isSet;
        return op switch
        {
            '-' => present ? value! : word,
            '+' => present ? word : "",
            _ => present ? value! : throw new FormatException($"{braced}: {(word.Length > 0 ? word : "is not allowed to be unset")}"),
        };
    }

    private string ReadName()
    {
        var start = _pos;
        if (!AtEnd && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '*' or '@' or '#' or '?' or '-' or '$' or '!'))
        {
            _pos++;
            return _text[start.._pos];
        }
        while (!AtEnd && (char.IsAsciiLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
        {
            _pos++;
        }
        return _text[start.._pos];
    }

    private string? Lookup(string name)
    {
        Referenced.Add(name);
        var value = _lookup(name);
        if (value == null)
        {
            Unmatched.Add(name);
        }
        return value;
    }
}
