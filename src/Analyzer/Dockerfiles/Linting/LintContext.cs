using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>What a rule sees: the document, cached shell parses of RUN instructions, options, and a sink for findings.</summary>
public sealed class LintContext
{
    private readonly Dictionary<Instruction, ShellScript> _scripts = [];
    private readonly Dictionary<Instruction, List<ToolInvocation>> _tools = [];
    private readonly List<(RuleDefinition Rule, SourceRange Range, string Message)> _raw = [];

    public LintContext(DockerfileDocument document, LintOptions options)
    {
        Document = document;
        Options = options;
    }

    public DockerfileDocument Document { get; }

    public LintOptions Options { get; }

    internal IReadOnlyList<(RuleDefinition Rule, SourceRange Range, string Message)> Raw => _raw;

    public void Report(RuleDefinition rule, SourceRange range, string message) => _raw.Add((rule, range, message));

    public void Report(RuleDefinition rule, Instruction instruction, string message) => Report(rule, instruction.Range, message);

    /// <summary>Instructions of a keyword, in order (ONBUILD triggers excluded).</summary>
    public IReadOnlyList<Instruction> All(string keyword)
    {
        // Every rule asks for its keywords: group the instructions once per file.
        if (_byKeyword == null)
        {
            _byKeyword = new Dictionary<string, List<Instruction>>(StringComparer.Ordinal);
            foreach (var instruction in Document.Instructions)
            {
                if (!_byKeyword.TryGetValue(instruction.Keyword, out var list))
                {
                    _byKeyword[instruction.Keyword] = list = [];
                }
                list.Add(instruction);
            }
        }
        return _byKeyword.TryGetValue(keyword, out var found) ? found : [];
    }

    private Dictionary<string, List<Instruction>>? _byKeyword;

    /// <summary>
    /// The shell script a RUN executes: shell form text, heredoc bodies, or exec form words
    /// (<c>["sh", "-c", "..."]</c> is parsed as a script). Parsed once per instruction.
    /// </summary>
    public ShellScript Script(Instruction run)
    {
        if (_scripts.TryGetValue(run, out var cached))
        {
            return cached;
        }
        ShellScript script;
        if (run.IsJson)
        {
            var args = run.Args.Select(a => a.Value).ToList();
            if (args.Count >= 3 && args[0] is "sh" or "/bin/sh" or "bash" or "/bin/bash" && args[1] == "-c")
            {
                script = ShellParser.Parse(args[2]);
            }
            else
            {
                script = ShellParser.Parse(string.Join(' ', args.Select(QuoteIfNeeded)));
            }
        }
        else if (run.Heredocs.Count > 0 && run.ArgumentText.TrimStart().StartsWith("<<", StringComparison.Ordinal))
        {
            script = ShellParser.Parse(string.Concat(run.Heredocs.Select(h => h.Content)));
        }
        else
        {
            script = ShellParser.Parse(run.ArgumentText);
        }
        _scripts[run] = script;
        return script;
    }

    /// <summary>Recognised tools of a RUN, computed once per instruction.</summary>
    public IReadOnlyList<ToolInvocation> Tools(Instruction run)
    {
        if (!_tools.TryGetValue(run, out var tools))
        {
            _tools[run] = tools = [.. ToolRecognizer.Recognize(Script(run))];
        }
        return tools;
    }

    private static readonly System.Buffers.SearchValues<char> ShellSpecial = System.Buffers.SearchValues.Create(" \t'\"\\$;&|<>()");

    private static string QuoteIfNeeded(string word) =>
        word.AsSpan().IndexOfAny(ShellSpecial) >= 0 ? "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : word;
}
