namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>A shell word: its text as written, its value with quotes and escapes removed (expansions left as text).</summary>
public sealed record ShellWord(string Raw, string Value, int Start, int End, bool Quoted, IReadOnlyList<string> Variables, bool HasCommandSubstitution)
{
    /// <summary>Any <c>$</c> or backtick expansion outside single quotes: the word's runtime value is not its text.</summary>
    public bool HasExpansion { get; init; }

    /// <summary>An unquoted <c>* ? [ { ~</c>: the word may stand for other paths than its text.</summary>
    public bool HasGlob { get; init; }

    /// <summary>A word taken literally (an exec-form argument: no shell ever sees it).</summary>
    public static ShellWord Literal(string value) => new(value, value, 0, 0, false, [], false);
}

/// <summary>A redirection such as <c>&gt;/dev/null</c>, <c>2&gt;&amp;1</c>, <c>&lt;&lt;EOF</c> (with its body) or <c>&lt;&lt;&lt; word</c>.</summary>
public sealed record ShellRedirect(string Operator, int? FileDescriptor, ShellWord? Target)
{
    /// <summary>Body of a here-document redirect.</summary>
    public string? HereDocument { get; set; }
}

/// <summary>
/// A simple command: assignments, words (name and arguments), redirections, the operator that follows it
/// (<c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c>, <c>&amp;</c>, newline, or null at the end) and its subshell/group depth.
/// </summary>
public sealed class ShellCommand
{
    // Most commands have neither assignments nor redirections: those lists are made on first use.
    private List<ShellWord>? _assignments;
    private List<ShellRedirect>? _redirects;

    public List<ShellWord> Assignments => _assignments ??= [];

    public List<ShellWord> Words { get; } = [];

    public List<ShellRedirect> Redirects => _redirects ??= [];

    internal int AssignmentCount => _assignments?.Count ?? 0;

    internal int RedirectCount => _redirects?.Count ?? 0;

    public string? Connector { get; set; }

    public int Depth { get; set; }

    public int Start { get; set; }

    public int End { get; set; }

    /// <summary>The command name (first word's value), or "" for a bare assignment or redirection.</summary>
    public string Name => Words.Count > 0 ? Words[0].Value : "";

    public IEnumerable<string> Arguments => Words.Skip(1).Select(w => w.Value);

    public override string ToString() => string.Join(' ', Words.Select(w => w.Value));

    /// <summary>An exec-form RUN (<c>["prog", "arg"]</c>) as one command of literal words.</summary>
    public static ShellCommand FromArguments(IEnumerable<string> arguments)
    {
        var command = new ShellCommand();
        command.Words.AddRange(arguments.Select(ShellWord.Literal));
        return command;
    }
}

/// <summary>A parsed shell script: its simple commands in order.</summary>
public sealed class ShellScript
{
    public List<ShellCommand> Commands { get; } = [];

    /// <summary>True when <c>set -e</c> (or <c>-eux</c>, <c>-o errexit</c>) is in effect at some point.</summary>
    public bool SetsErrexit { get; set; }

    /// <summary>True when <c>set -o pipefail</c> is in effect at some point.</summary>
    public bool SetsPipefail { get; set; }

    /// <summary>Control keywords met where a command starts (if, then, for, while, case, {, !...): the commands do not simply run in order.</summary>
    public HashSet<string> ControlKeywords => _controlKeywords ??= new(StringComparer.Ordinal);

    private HashSet<string>? _controlKeywords;

    /// <summary>A quote, substitution or bracket was still open at the end of the text.</summary>
    public bool Unterminated { get; set; }
}
