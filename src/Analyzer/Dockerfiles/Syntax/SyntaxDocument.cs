using System.Text;
using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Dockerfiles.Syntax;

/// <summary>
/// A lossless concrete syntax tree: the file as an ordered list of blocks that together hold every byte
/// (BOM, comments, blank lines, continuations, CRLF). Writing an unmodified tree gives the input back
/// exactly; edits move, remove or replace instruction blocks and keep their comments and formatting.
/// </summary>
public sealed class SyntaxDocument
{
    private const char Bom = '\uFEFF';

    private SyntaxDocument(bool hasBom, string newline, List<SyntaxBlock> blocks)
    {
        HasBom = hasBom;
        Newline = newline;
        Blocks = blocks;
    }

    public bool HasBom { get; }

    /// <summary>Line break used when an edit needs to add one ("\n" or "\r\n", as the file mostly uses).</summary>
    public string Newline { get; }

    public List<SyntaxBlock> Blocks { get; }

    public IEnumerable<InstructionBlock> InstructionBlocks => Blocks.OfType<InstructionBlock>();

    public static SyntaxDocument Create(DockerfileDocument document)
    {
        var source = document.Source;
        var text = source.Text;
        var hasBom = text.Length > 0 && text[0] == Bom;
        var blocks = new List<SyntaxBlock>();
        var lastDirectiveLine = document.Result.Directives.Count == 0 ? 0 : document.Result.Directives.Max(d => d.Line);
        var cursor = hasBom ? 1 : 0;
        var nextLine = 0; // 0-based first line not yet assigned to a block
        foreach (var instruction in document.Instructions)
        {
            var node = instruction.Node;
            var firstLine = node.StartLine - 1;
            // Comment lines directly above the instruction (no blank line between) are its leading comments.
            var commentStart = firstLine;
            while (commentStart - 1 >= nextLine && commentStart > lastDirectiveLine && IsCommentLine(source, commentStart - 1))
            {
                commentStart--;
            }
            var bodyStart = Math.Max(cursor, source.LineStart(firstLine));
            var commentOffset = Math.Max(cursor, source.LineStart(commentStart));
            if (commentOffset > cursor)
            {
                blocks.Add(new TriviaBlock(text[cursor..commentOffset]));
            }
            var bodyEnd = node.SourceEnd;
            blocks.Add(new InstructionBlock(text[commentOffset..bodyStart], text[bodyStart..bodyEnd], instruction));
            cursor = bodyEnd;
            nextLine = node.EndLine;
        }
        if (cursor < text.Length)
        {
            blocks.Add(new TriviaBlock(text[cursor..]));
        }
        return new SyntaxDocument(hasBom, source.DetectNewline(), blocks);
    }

    private static bool IsCommentLine(Parsing.SourceText source, int index)
    {
        var text = source.Text;
        var end = source.LineContentEnd(index);
        for (var i = source.LineStart(index); i < end; i++)
        {
            var c = text[i];
            if (c == '#')
            {
                return true;
            }
            if (!char.IsWhiteSpace(c) && c != Bom)
            {
                return false;
            }
        }
        return false;
    }

    /// <summary>The full text; blocks that lost their final line break by moving get one.</summary>
    public string Write()
    {
        var sb = new StringBuilder();
        if (HasBom)
        {
            sb.Append(Bom);
        }
        for (var i = 0; i < Blocks.Count; i++)
        {
            var blockText = Blocks[i].Text;
            sb.Append(blockText);
            if (i + 1 < Blocks.Count && blockText.Length > 0 && blockText[^1] != '\n')
            {
                sb.Append(Newline);
            }
        }
        return sb.ToString();
    }

    public void Remove(InstructionBlock block) => Blocks.Remove(block);

    /// <summary>Moves <paramref name="block"/> (with its leading comments) to just before <paramref name="before"/>.</summary>
    public void MoveBefore(InstructionBlock block, SyntaxBlock before)
    {
        if (ReferenceEquals(block, before))
        {
            return;
        }
        Blocks.Remove(block);
        Blocks.Insert(Blocks.IndexOf(before), block);
    }

    /// <summary>Moves <paramref name="block"/> to just after <paramref name="after"/>.</summary>
    public void MoveAfter(InstructionBlock block, SyntaxBlock after)
    {
        if (ReferenceEquals(block, after))
        {
            return;
        }
        Blocks.Remove(block);
        Blocks.Insert(Blocks.IndexOf(after) + 1, block);
    }

    /// <summary>Replaces the instruction's own text (its leading comments stay); a line break is added if missing.</summary>
    public void Replace(InstructionBlock block, string newText)
    {
        var hadBreak = block.Body.EndsWith('\n');
        block.Body = hadBreak && !newText.EndsWith('\n') ? newText + Newline : newText;
    }

    /// <summary>Inserts a new instruction text before <paramref name="before"/>.</summary>
    public InstructionBlock InsertBefore(SyntaxBlock before, string instructionText)
    {
        var block = new InstructionBlock("", instructionText.EndsWith('\n') ? instructionText : instructionText + Newline, null);
        Blocks.Insert(Blocks.IndexOf(before), block);
        return block;
    }
}
