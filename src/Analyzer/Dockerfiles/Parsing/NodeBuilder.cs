namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>BuildKit's newNodeFromLine: split the command, then dispatch to the instruction's line parser.</summary>
internal static class NodeBuilder
{
    public static Node FromLine(string line, int offset, char escape, int depth = 0)
    {
        var split = CommandSplitter.SplitCommand(line, offset);
        var parsed = LineParsers.Dispatch(Keywords.Lower(split.Command), line, split.Rest, split.RestStart, escape, depth);
        return new Node
        {
            Value = split.Command,
            Start = split.CommandStart,
            End = split.CommandStart + split.Command.Length,
            Flags = split.Flags,
            FlagRanges = split.FlagRanges,
            Next = parsed.Next,
            IsJson = parsed.IsJson,
            Original = offset == 0 ? line : line[offset..],
        };
    }

    /// <summary>RUN, COPY and ADD in shell form may carry heredocs; ONBUILD passes through to its trigger.</summary>
    public static bool CanContainHeredoc(Node node)
    {
        var keyword = Keywords.Lower(node.Value);
        if (keyword == "onbuild" && node.Next?.Children is { Count: > 0 } children)
        {
            node = children[0];
            keyword = Keywords.Lower(node.Value);
        }
        return keyword is "run" or "copy" or "add" && !node.IsJson;
    }
}
