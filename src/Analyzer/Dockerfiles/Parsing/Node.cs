namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// BuildKit's AST node: an S-expression of a value, a chain of next values and child expressions.
/// Offsets (Start/End) are positions in the instruction's joined logical line, -1 when unknown.
/// </summary>
public sealed class Node
{
    public string Value { get; set; } = "";

    public Node? Next { get; set; }

    public List<Node>? Children { get; set; }

    public List<string>? Flags { get; set; }

    /// <summary>Joined-line ranges of each flag, parallel to <see cref="Flags"/>.</summary>
    public List<(int Start, int End)>? FlagRanges { get; set; }

    public List<Heredoc>? Heredocs { get; set; }

    public bool IsJson { get; set; }

    public string Original { get; set; } = "";

    public int StartLine { get; set; }

    public int EndLine { get; set; }

    public int Start { get; set; } = -1;

    public int End { get; set; } = -1;

    public IReadOnlyList<string>? PrevComment { get; set; }

    /// <summary>Maps offsets of the joined logical line back to the source (top-level instructions only).</summary>
    public JoinedLineMap? Map { get; set; }

    /// <summary>Source offset of the first character of the instruction's first line and just past its last line (with heredocs).</summary>
    public int SourceStart { get; set; }

    public int SourceEnd { get; set; }
}
