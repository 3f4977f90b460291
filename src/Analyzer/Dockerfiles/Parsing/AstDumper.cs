using System.Globalization;
using System.Text;

namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>Writes BuildKit's <c>Node.Dump()</c> S-expressions with Go's <c>strconv.Quote</c> quoting, byte for byte.</summary>
public static class AstDumper
{
    /// <summary>The dump of every instruction, one line each, with the final newline BuildKit's parser test adds.</summary>
    public static string DumpDocument(IEnumerable<Node> instructions)
    {
        var sb = new StringBuilder();
        foreach (var node in instructions)
        {
            sb.Append('(');
            Dump(node, sb);
            sb.Append(")\n");
        }
        return sb.ToString().Trim() + "\n";
    }

    public static string Dump(Node node)
    {
        var sb = new StringBuilder();
        Dump(node, sb);
        return sb.ToString();
    }

    private static void Dump(Node node, StringBuilder outer)
    {
        var sb = new StringBuilder();
        sb.Append(node.Value.ToLowerInvariant());
        if (node.Flags is { Count: > 0 })
        {
            sb.Append(" [");
            for (var i = 0; i < node.Flags.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(' ');
                }
                GoQuote(node.Flags[i], sb);
            }
            sb.Append(']');
        }
        if (node.Children != null)
        {
            foreach (var child in node.Children)
            {
                sb.Append('(');
                Dump(child, sb);
                sb.Append(")\n");
            }
        }
        for (var n = node.Next; n != null; n = n.Next)
        {
            sb.Append(' ');
            if (n.Children is { Count: > 0 })
            {
                Dump(n, sb);
            }
            else
            {
                GoQuote(n.Value, sb);
            }
        }
        outer.Append(sb.ToString().Trim());
    }

    /// <summary>Go's strconv.Quote: printable runes literal, the rest escaped.</summary>
    public static string GoQuote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        GoQuote(value, sb);
        return sb.ToString();
    }

    public static void GoQuote(string value, StringBuilder sb)
    {
        sb.Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            var v = rune.Value;
            switch (v)
            {
                case '"': sb.Append("\\\""); continue;
                case '\\': sb.Append("\\\\"); continue;
                case '\a': sb.Append("\\a"); continue;
                case '\b': sb.Append("\\b"); continue;
                case '\f': sb.Append("\\f"); continue;
                case '\n': sb.Append("\\n"); continue;
                case '\r': sb.Append("\\r"); continue;
                case '\t': sb.Append("\\t"); continue;
                case '\v': sb.Append("\\v"); continue;
            }
            if (v < 0x80)
            {
                if (v < 0x20 || v == 0x7F)
                {
                    sb.Append("\\x").Append(v.ToString("x2", CultureInfo.InvariantCulture));
                }
                else
                {
                    sb.Append((char)v);
                }
                continue;
            }
            if (IsPrint(rune))
            {
                sb.Append(rune.ToString());
            }
            else if (v < 0x10000)
            {
                sb.Append("\\u").Append(v.ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append("\\U").Append(v.ToString("x8", CultureInfo.InvariantCulture));
            }
        }
        sb.Append('"');
    }

    // Go's IsPrint: letters, marks, numbers, punctuation, symbols (and ASCII space, handled above).
    private static bool IsPrint(Rune rune) => Rune.GetUnicodeCategory(rune) switch
    {
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned => false,
        _ => true,
    };
}
