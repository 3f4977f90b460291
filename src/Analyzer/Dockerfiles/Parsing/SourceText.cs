namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// The decoded text of a Dockerfile with the offsets of its physical lines. Lines end at LF only,
/// as BuildKit's scanner splits them; a CR before the LF is part of the line's break, not its content.
/// </summary>
public sealed class SourceText
{
    private readonly int[] _lineStarts;

    public SourceText(string text, string? path = null)
    {
        Text = text ?? throw new ArgumentNullException(nameof(text));
        Path = path;
        var starts = new List<int>(Math.Max(16, text.Length / 32));
        var span = text.AsSpan();
        var offset = 0;
        while (offset < span.Length)
        {
            starts.Add(offset);
            var nl = span[offset..].IndexOf('\n');
            if (nl < 0)
            {
                break;
            }
            offset += nl + 1;
        }
        _lineStarts = [.. starts];
    }

    public string Text { get; }

    public string? Path { get; }

    /// <summary>Number of physical lines (a final LF does not open another line).</summary>
    public int LineCount => _lineStarts.Length;

    /// <summary>Offset of the first character of the 0-based line.</summary>
    public int LineStart(int index) => _lineStarts[index];

    /// <summary>Offset just past the line including its LF.</summary>
    public int LineEndIncludingBreak(int index) => index + 1 < _lineStarts.Length ? _lineStarts[index + 1] : Text.Length;

    /// <summary>Offset just past the line's content: trailing CR and LF characters removed, as BuildKit's trimNewline does.</summary>
    public int LineContentEnd(int index)
    {
        var start = _lineStarts[index];
        var end = LineEndIncludingBreak(index);
        while (end > start && (Text[end - 1] == '\n' || Text[end - 1] == '\r'))
        {
            end--;
        }
        return end;
    }

    /// <summary>1-based line and 1-based column (in UTF-16 code units, a leading BOM not counted) of an offset.</summary>
    public (int Line, int Column) GetPosition(int offset)
    {
        if (_lineStarts.Length == 0)
        {
            return (1, 1);
        }
        var index = Array.BinarySearch(_lineStarts, offset);
        if (index < 0)
        {
            index = ~index - 1;
        }
        index = Math.Clamp(index, 0, _lineStarts.Length - 1);
        var column = offset - _lineStarts[index] + 1;
        if (index == 0 && Text.Length > 0 && Text[0] == '\uFEFF')
        {
            column = Math.Max(1, column - 1); // the BOM is not a column
        }
        return (index + 1, column);
    }

    /// <summary>The newline style the file mostly uses ("\r\n" or "\n"), for text inserted by edits.</summary>
    public string DetectNewline()
    {
        var crlf = 0;
        var lf = 0;
        for (var i = 1; i < _lineStarts.Length; i++)
        {
            if (_lineStarts[i] >= 2 && Text[_lineStarts[i] - 2] == '\r')
            {
                crlf++;
            }
            else
            {
                lf++;
            }
        }
        return crlf > lf ? "\r\n" : "\n";
    }
}
