namespace LayerLens.Analyzer.Layers;

/// <summary>
/// Normalises tar entry names: no leading <c>./</c> or <c>/</c>, no empty or <c>.</c> segments, no
/// trailing slash, <c>..</c> resolved. Returns null when the path escapes the root.
/// </summary>
public static class PathNormalizer
{
    public static string? Normalize(string name)
    {
        if (IsClean(name))
        {
            return name;
        }
        var segments = new List<string>();
        foreach (var raw in name.Split('/'))
        {
            if (raw.Length == 0 || raw == ".")
            {
                continue;
            }
            if (raw == "..")
            {
                if (segments.Count == 0)
                {
                    return null;
                }
                segments.RemoveAt(segments.Count - 1);
                continue;
            }
            segments.Add(raw);
        }
        return string.Join('/', segments);
    }

    // The common case (no ./, //, .., leading or trailing slash) needs no allocation.
    private static bool IsClean(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name[^1] == '/')
        {
            return false;
        }
        var segmentStart = 0;
        for (var i = 0; i <= name.Length; i++)
        {
            if (i == name.Length || name[i] == '/')
            {
                var length = i - segmentStart;
                if (length == 0
                    || length == 1 && name[segmentStart] == '.'
                    || length == 2 && name[segmentStart] == '.' && name[segmentStart + 1] == '.')
                {
                    return false;
                }
                segmentStart = i + 1;
            }
        }
        return true;
    }
}
