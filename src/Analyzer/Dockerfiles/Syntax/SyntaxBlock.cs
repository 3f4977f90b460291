using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Dockerfiles.Syntax;

/// <summary>A run of whole source lines in the concrete syntax tree.</summary>
public abstract class SyntaxBlock
{
    /// <summary>The exact text of the block, line breaks included.</summary>
    public abstract string Text { get; }
}

/// <summary>Lines that belong to no instruction: blank lines, directives, comments separated from any instruction.</summary>
public sealed class TriviaBlock(string text) : SyntaxBlock
{
    public override string Text => text;
}

/// <summary>
/// An instruction's lines (continuations, comment lines inside them, heredoc bodies) with the comment lines
/// directly above it, which travel with the instruction when it is moved or removed.
/// </summary>
public sealed class InstructionBlock : SyntaxBlock
{
    public InstructionBlock(string leadingComments, string body, Instruction? instruction)
    {
        LeadingComments = leadingComments;
        Body = body;
        Instruction = instruction;
    }

    public string LeadingComments { get; set; }

    public string Body { get; set; }

    /// <summary>The parsed instruction this block was read from (null for inserted text).</summary>
    public Instruction? Instruction { get; }

    public override string Text => LeadingComments + Body;
}
