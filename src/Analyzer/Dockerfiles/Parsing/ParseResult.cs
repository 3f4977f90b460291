namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>A warning BuildKit's parser emits (empty continuation lines), with its 1-based line.</summary>
public sealed record ParseWarning(string Message, int Line);

/// <summary>What BuildKit's Parse returns: the top-level instruction nodes, warnings, the escape character and directives.</summary>
public sealed class ParseResult
{
    public required SourceText Source { get; init; }

    public required IReadOnlyList<Node> Instructions { get; init; }

    public required IReadOnlyList<ParseWarning> Warnings { get; init; }

    public required char EscapeToken { get; init; }

    public required IReadOnlyList<ParserDirective> Directives { get; init; }

    /// <summary>BuildKit's AST dump (root node Dump() plus a newline).</summary>
    public string Dump() => AstDumper.DumpDocument(Instructions);
}
