namespace LayerLens.Analyzer.Dockerfiles.Model;

/// <summary>A source range: 1-based lines and 1-based columns; the end column is just past the last character.</summary>
public readonly record struct SourceRange(int StartLine, int StartColumn, int EndLine, int EndColumn);

/// <summary>A flag or argument with its value (as BuildKit parsed it) and where it was written.</summary>
public sealed record InstructionToken(string Value, SourceRange Range);
