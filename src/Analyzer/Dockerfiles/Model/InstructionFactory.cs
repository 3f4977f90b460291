using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Dockerfiles.Model;

/// <summary>Builds <see cref="Instruction"/> views over BuildKit nodes, mapping joined-line offsets to source ranges.</summary>
internal static class InstructionFactory
{
    public static Instruction Create(Node node, Node top, SourceText source, int index)
    {
        var map = top.Map!;
        SourceRange RangeOf(int start, int end)
        {
            if (start < 0)
            {
                return new SourceRange(top.StartLine, 1, top.StartLine, 1);
            }
            var (sl, sc) = source.GetPosition(map.ToSource(start));
            var (el, ec) = end > start ? source.GetPosition(map.ToSourceEnd(end)) : (sl, sc);
            return new SourceRange(sl, sc, el, ec);
        }

        var flags = new List<InstructionToken>();
        if (node.Flags != null)
        {
            for (var i = 0; i < node.Flags.Count; i++)
            {
                var (fs, fe) = node.FlagRanges![i];
                flags.Add(new InstructionToken(node.Flags[i], RangeOf(fs, fe)));
            }
        }
        var args = new List<InstructionToken>();
        Instruction? trigger = null;
        var argStart = -1;
        var argEnd = -1;
        for (var n = node.Next; n != null; n = n.Next)
        {
            if (n.Children is { Count: > 0 } children)
            {
                trigger = Create(children[0], top, source, index);
            }
            else
            {
                args.Add(new InstructionToken(n.Value, RangeOf(n.Start, n.End)));
            }
            if (n.Start >= 0)
            {
                argStart = argStart < 0 ? n.Start : Math.Min(argStart, n.Start);
                argEnd = Math.Max(argEnd, n.End);
            }
        }
        var line = top.Original;
        var lineEnd = CommandSplitter.TrimSpace(line, 0, line.Length).End;
        var argText = argStart >= 0 ? line[argStart..Math.Max(argStart, Math.Min(argEnd, line.Length))] : "";
        if (node.IsJson && argStart >= 0)
        {
            // For the exec form take the whole bracketed text.
            var open = line.LastIndexOf('[', argStart);
            argStart = open >= 0 ? open : argStart;
            argText = line[argStart..lineEnd];
            argEnd = lineEnd;
        }
        var keywordRange = RangeOf(node.Start, node.End);
        var whole = RangeOf(node.Start, node == top ? lineEnd : Math.Max(node.End, argEnd));
        return new Instruction
        {
            Node = node,
            RawKeyword = node.Value,
            Keyword = Keywords.Upper(node.Value),
            StartLine = top.StartLine,
            EndLine = top.EndLine,
            Range = whole,
            KeywordRange = keywordRange,
            Flags = flags,
            Args = args,
            IsJson = node.IsJson,
            Trigger = trigger,
            Index = index,
            ArgumentText = argText,
            ArgumentRange = argStart >= 0 ? RangeOf(argStart, argEnd) : new SourceRange(keywordRange.EndLine, keywordRange.EndColumn, keywordRange.EndLine, keywordRange.EndColumn),
        };
    }
}
