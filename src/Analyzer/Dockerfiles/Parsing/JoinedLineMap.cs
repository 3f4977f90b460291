namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// An instruction's physical lines are joined into one logical line; this remembers where each joined
/// piece came from so that any offset in the joined text maps back to a source offset.
/// </summary>
public sealed class JoinedLineMap
{
    private readonly List<int> _joinedStarts = [];
    private readonly List<int> _sourceStarts = [];

    internal void Add(int joinedStart, int sourceStart)
    {
        _joinedStarts.Add(joinedStart);
        _sourceStarts.Add(sourceStart);
    }

    public int ToSource(int joinedOffset)
    {
        if (_joinedStarts.Count == 0)
        {
            return 0;
        }
        var index = _joinedStarts.BinarySearch(joinedOffset);
        if (index < 0)
        {
            index = ~index - 1;
        }
        else
        {
            // Several empty pieces may start at one joined offset; take the last, which holds the text.
            while (index + 1 < _joinedStarts.Count && _joinedStarts[index + 1] == joinedOffset)
            {
                index++;
            }
        }
        index = Math.Max(index, 0);
        return _sourceStarts[index] + (joinedOffset - _joinedStarts[index]);
    }

    /// <summary>Source offset just past the character before <paramref name="joinedEnd"/> (for end positions).</summary>
    public int ToSourceEnd(int joinedEnd) => joinedEnd <= 0 ? ToSource(0) : ToSource(joinedEnd - 1) + 1;
}
