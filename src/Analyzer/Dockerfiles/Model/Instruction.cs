using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Dockerfiles.Model;

/// <summary>One instruction: keyword, flags, arguments (BuildKit's values), exec or shell form, stage, heredocs and source ranges.</summary>
public sealed class Instruction
{
    public required Node Node { get; init; }

    /// <summary>The keyword as written (BuildKit keeps its case; lint rules check it).</summary>
    public required string RawKeyword { get; init; }

    /// <summary>The keyword in upper case.</summary>
    public required string Keyword { get; init; }

    public required int StartLine { get; init; }

    public required int EndLine { get; init; }

    /// <summary>From the keyword to the end of the instruction text (heredoc bodies excluded).</summary>
    public required SourceRange Range { get; init; }

    public required SourceRange KeywordRange { get; init; }

    public required IReadOnlyList<InstructionToken> Flags { get; init; }

    public required IReadOnlyList<InstructionToken> Args { get; init; }

    public required bool IsJson { get; init; }

    /// <summary>Index of the stage (0-based), or null before the first FROM.</summary>
    public int? Stage { get; set; }

    public int Index { get; init; }

    public IReadOnlyList<Heredoc> Heredocs => Node.Heredocs ?? (IReadOnlyList<Heredoc>)[];

    /// <summary>For ONBUILD: the trigger instruction.</summary>
    public Instruction? Trigger { get; init; }

    /// <summary>The joined logical line (continuations removed), as BuildKit's Original.</summary>
    public string Original => Node.Original;

    /// <summary>Comment lines directly above (BuildKit's PrevComment).</summary>
    public IReadOnlyList<string> Comments => Node.PrevComment ?? (IReadOnlyList<string>)[];

    /// <summary>The text after the keyword and flags, joined (shell form command, JSON text...).</summary>
    public required string ArgumentText { get; init; }

    public required SourceRange ArgumentRange { get; init; }

    /// <summary>Value of a flag such as <c>--from</c> (null when absent; empty for a bare flag).</summary>
    public string? FlagValue(string name)
    {
        foreach (var flag in Flags)
        {
            var v = flag.Value;
            if (v.Length >= name.Length + 2 && v.StartsWith("--", StringComparison.Ordinal)
                && string.CompareOrdinal(v, 2, name, 0, name.Length) == 0)
            {
                if (v.Length == name.Length + 2)
                {
                    return "";
                }
                if (v[name.Length + 2] == '=')
                {
                    return v[(name.Length + 3)..];
                }
            }
        }
        return null;
    }

    public IEnumerable<string> FlagValues(string name)
    {
        foreach (var flag in Flags)
        {
            var prefix = "--" + name + "=";
            if (flag.Value.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return flag.Value[prefix.Length..];
            }
        }
    }
}
