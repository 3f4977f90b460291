using System.Globalization;
using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>
/// Reads the exec form (<c>["a", "b"]</c>) the way BuildKit's parseJSON does with Go's json.Unmarshal:
/// the whole text must be one valid JSON value; an array of strings gives its elements, any other
/// valid array is an error, anything invalid (or nested deeper than Go's 10,000 limit) means "not JSON".
/// Iterative, so hostile nesting cannot overflow the stack.
/// </summary>
internal static class JsonArrayReader
{
    public const string NotStringArrayMessage = "when using JSON array syntax, arrays must be comprised of strings only";
    private const int MaxDepth = 10000;

    public enum Outcome
    {
        NotJson,
        StringArray,
        NotStringArray,
    }

    /// <summary>Elements with their [start,end) offsets in <paramref name="text"/> (quotes included).</summary>
    public static Outcome TryRead(string text, int start, out List<(string Value, int Start, int End)> elements)
    {
        elements = [];
        var pos = start;
        if (pos >= text.Length || text[pos] != '[')
        {
            return Outcome.NotJson;
        }
        var allStrings = true;
        var depth = 0;
        // Container stack as a bit list: true = array, false = object.
        var stack = new List<bool>();
        pos++;
        depth = 1;
        stack.Add(true);
        var expectValue = true; // after '[' or ','
        var first = true;
        while (true)
        {
            SkipWs(text, ref pos);
            if (pos >= text.Length)
            {
                return Outcome.NotJson;
            }
            var inArray = stack[^1];
            var c = text[pos];
            if (expectValue)
            {
                if (c == ']' && inArray && first)
                {
                    pos++;
                    if (!Close(ref depth, stack, text, ref pos, out var done))
                    {
                        return Outcome.NotJson;
                    }
                    if (done)
                    {
                        break;
                    }
                    first = false;
                    expectValue = false;
                    continue;
                }
                if (c == '}' && !inArray && first)
                {
                    pos++;
                    if (!Close(ref depth, stack, text, ref pos, out var done))
                    {
                        return Outcome.NotJson;
                    }
                    if (done)
                    {
                        break;
                    }
                    expectValue = false;
                    continue;
                }
                if (!inArray)
                {
                    // object member: "key" : value
                    if (c != '"' || !ReadString(text, ref pos, out _))
                    {
                        return Outcome.NotJson;
                    }
                    SkipWs(text, ref pos);
                    if (pos >= text.Length || text[pos] != ':')
                    {
                        return Outcome.NotJson;
                    }
                    pos++;
                    SkipWs(text, ref pos);
                    if (pos >= text.Length)
                    {
                        return Outcome.NotJson;
                    }
                    c = text[pos];
                }
                var topLevelElement = depth == 1;
                if (c == '[' || c == '{')
                {
                    if (topLevelElement)
                    {
                        allStrings = false;
                    }
                    depth++;
                    if (depth > MaxDepth)
                    {
                        return Outcome.NotJson;
                    }
                    stack.Add(c == '[');
                    pos++;
                    first = true;
                    expectValue = true;
                    continue;
                }
                var valueStart = pos;
                if (c == '"')
                {
                    if (!ReadString(text, ref pos, out var s))
                    {
                        return Outcome.NotJson;
                    }
                    if (topLevelElement)
                    {
                        elements.Add((s, valueStart, pos));
                    }
                }
                else
                {
                    if (!ReadLiteral(text, ref pos))
                    {
                        return Outcome.NotJson;
                    }
                    if (topLevelElement)
                    {
                        allStrings = false;
                    }
                }
                expectValue = false;
                first = false;
                continue;
            }
            // after a value: ',' or the closing bracket
            if (c == ',')
            {
                pos++;
                expectValue = true;
                first = false;
                continue;
            }
            if ((c == ']' && inArray) || (c == '}' && !inArray))
            {
                pos++;
                if (!Close(ref depth, stack, text, ref pos, out var done))
                {
                    return Outcome.NotJson;
                }
                if (done)
                {
                    break;
                }
                continue;
            }
            return Outcome.NotJson;
        }
        SkipWs(text, ref pos);
        if (pos != text.Length)
        {
            return Outcome.NotJson;
        }
        return allStrings ? Outcome.StringArray : Outcome.NotStringArray;
    }

    private static bool Close(ref int depth, List<bool> stack, string text, ref int pos, out bool done)
    {
        depth--;
        stack.RemoveAt(stack.Count - 1);
        done = depth == 0;
        return true;
    }

    private static void SkipWs(string text, ref int pos)
    {
        while (pos < text.Length && text[pos] is ' ' or '\t' or '\n' or '\r')
        {
            pos++;
        }
    }

    private static bool ReadLiteral(string text, ref int pos)
    {
        foreach (var lit in (ReadOnlySpan<string>)["true", "false", "null"])
        {
            if (string.CompareOrdinal(text, pos, lit, 0, lit.Length) == 0)
            {
                pos += lit.Length;
                return true;
            }
        }
        return ReadNumber(text, ref pos);
    }

    private static bool ReadNumber(string text, ref int pos)
    {
        var p = pos;
        if (p < text.Length && text[p] == '-')
        {
            p++;
        }
        if (p >= text.Length || !char.IsAsciiDigit(text[p]))
        {
            return false;
        }
        if (text[p] == '0')
        {
            p++;
        }
        else
        {
            while (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                p++;
            }
        }
        if (p < text.Length && text[p] == '.')
        {
            p++;
            if (p >= text.Length || !char.IsAsciiDigit(text[p]))
            {
                return false;
            }
            while (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                p++;
            }
        }
        if (p < text.Length && text[p] is 'e' or 'E')
        {
            p++;
            if (p < text.Length && text[p] is '+' or '-')
            {
                p++;
            }
            if (p >= text.Length || !char.IsAsciiDigit(text[p]))
            {
                return false;
            }
            while (p < text.Length && char.IsAsciiDigit(text[p]))
            {
                p++;
            }
        }
        pos = p;
        return true;
    }

    private static bool ReadString(string text, ref int pos, out string value)
    {
        value = "";
        var p = pos + 1;
        StringBuilder? sb = null;
        var runStart = p;
        while (p < text.Length)
        {
            var c = text[p];
            if (c == '"')
            {
                value = sb == null ? text[runStart..p] : sb.Append(text, runStart, p - runStart).ToString();
                pos = p + 1;
                return true;
            }
            if (c < 0x20)
            {
                return false;
            }
            if (c != '\\')
            {
                p++;
                continue;
            }
            sb ??= new StringBuilder();
            sb.Append(text, runStart, p - runStart);
            p++;
            if (p >= text.Length)
            {
                return false;
            }
            switch (text[p])
            {
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case '/': sb.Append('/'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'n': sb.Append('\n'); break;
                case 'r': sb.Append('\r'); break;
                case 't': sb.Append('\t'); break;
                case 'u':
                    if (p + 4 >= text.Length
                        || !int.TryParse(text.AsSpan(p + 1, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return false;
                    }
                    p += 4;
                    // Go replaces unpaired surrogates with U+FFFD.
                    if (char.IsHighSurrogate((char)code) && p + 6 < text.Length && text[p + 1] == '\\' && text[p + 2] == 'u'
                        && int.TryParse(text.AsSpan(p + 3, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var low)
                        && char.IsLowSurrogate((char)low))
                    {
                        sb.Append((char)code).Append((char)low);
                        p += 6;
                    }
                    else if (char.IsSurrogate((char)code))
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append((char)code);
                    }
                    break;
                default:
                    return false;
            }
            p++;
            runStart = p;
        }
        return false;
    }
}
