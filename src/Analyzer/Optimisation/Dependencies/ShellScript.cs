using System.Text;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>A shell word after quote removal; expansions and unquoted glob characters are flagged.</summary>
public sealed record ShellWord(string Text, bool HasExpansion, bool HasGlob);

/// <summary>A redirection: the operator (&gt;, &gt;&gt;, &lt;) and its target word.</summary>
public sealed record ShellRedirect(string Operator, ShellWord Target);

/// <summary>One simple command: leading assignments dropped, words and redirections.</summary>
public sealed class SimpleCommand
{
    public List<ShellWord> Words { get; } = [];

    public List<ShellRedirect> Redirects { get; } = [];

    public string Name => Words.Count > 0 ? Words[0].Text : "";

    public IEnumerable<ShellWord> Arguments => Words.Skip(1);
}

/// <summary>
/// A POSIX shell command line split into simple commands joined by &amp;&amp;, ||, ;, | and newlines.
/// Anything richer (subshells, compound commands, here-documents, command substitution) makes the script
/// opaque: <see cref="OpaqueReason"/> says why and callers must assume it can touch anything.
/// </summary>
public sealed class ShellScript
{
    private static readonly HashSet<string> Compound = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "function", "{", "}", "!", "select",
    };

    public List<SimpleCommand> Commands { get; } = [];

    public string? OpaqueReason { get; private set; }

    public bool IsOpaque => OpaqueReason is not null;

    public static ShellScript Parse(string text)
    {
        var script = new ShellScript();
        var current = new SimpleCommand();
        var i = 0;
        void Finish()
        {
            if (current.Words.Count > 0 || current.Redirects.Count > 0)
            {
                script.Commands.Add(current);
            }
            current = new SimpleCommand();
        }
        while (i < text.Length && script.OpaqueReason is null)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\r')
            {
                i++;
                continue;
            }
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                i += 2;
                continue;
            }
            if (c == '#' )
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
                continue;
            }
            if (c is '\n' or ';' or '|' or '&')
            {
                if (c == '&' && (i + 1 >= text.Length || text[i + 1] != '&'))
                {
                    if (i + 1 < text.Length && text[i + 1] == '>')
                    {
                        // &> file: both streams to a file.
                        i += 2;
                        var target = ReadWord(text, ref i, script);
                        current.Redirects.Add(new ShellRedirect(">", target ?? new ShellWord("", true, false)));
                        continue;
                    }
                    script.OpaqueReason = "background job (&)";
                    break;
                }
                i += c is '&' || (c == '|' && i + 1 < text.Length && text[i + 1] == '|') ? 2 : 1;
                Finish();
                continue;
            }
            if (c is '(' or ')' or '`')
            {
                script.OpaqueReason = "subshell or command substitution";
                break;
            }
            if (c is '>' or '<' || (char.IsAsciiDigit(c) && i + 1 < text.Length && text[i + 1] is '>' or '<'))
            {
                var fd = char.IsAsciiDigit(c) ? c : '\0';
                if (fd != '\0')
                {
                    i++;
                }
                var op = text[i].ToString();
                i++;
                if (i < text.Length && (text[i] == '>' || (op == "<" && text[i] == '<')))
                {
                    op += text[i];
                    i++;
                }
                if (op == "<<")
                {
                    script.OpaqueReason = "here-document";
                    break;
                }
                if (i < text.Length && text[i] == '&')
                {
                    // 2>&1 and friends duplicate descriptors; no file is touched.
                    i++;
                    ReadWord(text, ref i, script);
                    continue;
                }
                var target = ReadWord(text, ref i, script);
                if (target is null)
                {
                    script.OpaqueReason ??= "redirection without a target";
                    break;
                }
                current.Redirects.Add(new ShellRedirect(op, target));
                continue;
            }
            var word = ReadWord(text, ref i, script);
            if (word is null)
            {
                break;
            }
            if (current.Words.Count == 0 && IsAssignment(word.Text))
            {
                continue;
            }
            if (current.Words.Count == 0 && Compound.Contains(word.Text))
            {
                script.OpaqueReason = $"compound command '{word.Text}'";
                break;
            }
            current.Words.Add(word);
        }
        Finish();
        return script;
    }

    private static bool IsAssignment(string word)
    {
        var eq = word.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 && word[..eq].All(ch => ch == '_' || char.IsAsciiLetterOrDigit(ch)) && !char.IsAsciiDigit(word[0]);
    }

    private static ShellWord? ReadWord(string text, ref int i, ShellScript script)
    {
        while (i < text.Length && text[i] is ' ' or '\t')
        {
            i++;
        }
        var sb = new StringBuilder();
        var expansion = false;
        var glob = false;
        var any = false;
        while (i < text.Length)
        {
            var c = text[i];
            if (c is ' ' or '\t' or '\n' or '\r' or ';' or '|' or '&' or '<' or '>' or '(' or ')')
            {
                break;
            }
            any = true;
            if (c == '\\')
            {
                if (i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i += 2;
                    continue;
                }
                if (i + 1 < text.Length)
                {
                    sb.Append(text[i + 1]);
                }
                i += 2;
                continue;
            }
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    script.OpaqueReason = "unterminated quote";
                    return null;
                }
                sb.Append(text, i + 1, end - i - 1);
                i = end + 1;
                continue;
            }
            if (c == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '"' or '\\' or '$' or '`')
                    {
                        sb.Append(text[i + 1]);
                        i += 2;
                        continue;
                    }
                    if (text[i] is '$' or '`')
                    {
                        expansion = true;
                    }
                    sb.Append(text[i]);
                    i++;
                }
                if (i >= text.Length)
                {
                    script.OpaqueReason = "unterminated quote";
                    return null;
                }
                i++;
                continue;
            }
            if (c is '$' or '`')
            {
                expansion = true;
                if (c == '$' && i + 1 < text.Length && text[i + 1] == '(')
                {
                    script.OpaqueReason = "command substitution";
                    return null;
                }
            }
            if (c is '*' or '?' or '[' or '{' or '~')
            {
                glob = true;
            }
            sb.Append(c);
            i++;
        }
        return any ? new ShellWord(sb.ToString(), expansion, glob) : null;
    }
}
