namespace LayerLens.Analyzer.Rebuild;

/// <summary>The rebuild will not run as asked: the destination exists, there is no room for it … Nothing was written.</summary>
public sealed class RebuildRefusedException(string message) : Exception(message);

/// <summary>The rebuilt image is not equivalent to the source: the differences, path by path. Nothing was published.</summary>
public sealed class EquivalenceFailedException(IReadOnlyList<string> differences)
    : Exception("the rebuilt image differs from the original; nothing was written:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", differences))
{
    public IReadOnlyList<string> Differences { get; } = differences;
}
