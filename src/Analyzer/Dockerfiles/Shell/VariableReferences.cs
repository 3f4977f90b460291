namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>A cheap scan for <c>$NAME</c> and <c>${NAME...}</c> references outside single quotes.</summary>
public static class VariableReferences
{
    public static IEnumerable<string> Find(string text)
    {
        var inSingle = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\')
            {
                i++;
                continue;
            }
            if (c == '\'')
            {
                inSingle = !inSingle;
                continue;
            }
            if (c != '$' || inSingle || i + 1 >= text.Length)
            {
                continue;
            }
            var start = text[i + 1] == '{' ? i + 2 : i + 1;
            var end = start;
            if (end < text.Length && (char.IsAsciiLetter(text[end]) || text[end] == '_'))
            {
                while (end < text.Length && (char.IsAsciiLetterOrDigit(text[end]) || text[end] == '_'))
                {
                    end++;
                }
                yield return text[start..end];
                i = end - 1;
            }
        }
    }
}
