using System.IO.Hashing;
using System.Text;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>Where a finding is: its rule and start, the parts a fingerprint is computed from.</summary>
public readonly record struct FindingLocation(string RuleId, int Line, int Column);

/// <summary>
/// Fingerprints of findings that survive moving lines: the rule, the stage (its name, or its base image's repository), the
/// instruction's text with whitespace and line continuations collapsed, and the finding's place among the findings
/// that share all three. A finding outside any instruction (a comment, a directive, the file itself) uses its
/// line's collapsed text instead. SARIF's <c>partialFingerprints</c> carry it under <see cref="Key"/>, and the
/// baseline comparison matches findings by it, so an unchanged instruction keeps its findings whatever line it is on.
/// </summary>
public static class FindingFingerprints
{
    public const string Key = "layerlens/v1";

    /// <summary>The fingerprint of each finding, in the order given; an unparsable text falls back to line texts.</summary>
    public static IReadOnlyList<string> Compute(string dockerfileText, IReadOnlyList<FindingLocation> findings)
    {
        DockerfileDocument? document;
        try
        {
            document = DockerfileDocument.Parse(dockerfileText);
        }
        catch (DockerfileParseException)
        {
            document = null;
        }
        return Compute(document, new SourceText(dockerfileText), findings);
    }

    /// <summary>The fingerprint of each finding of <paramref name="document"/>, in the order given.</summary>
    public static IReadOnlyList<string> Compute(DockerfileDocument document, IReadOnlyList<FindingLocation> findings) =>
        Compute(document, document.Source, findings);

    private static string[] Compute(DockerfileDocument? document, SourceText source, IReadOnlyList<FindingLocation> findings)
    {
        // Several findings share an instruction: its anchor (collapsed text, stage) is computed once.
        var byInstruction = new Dictionary<Instruction, (string Stage, string Text)>(ReferenceEqualityComparer.Instance);
        var anchors = findings.Select(f => Anchor(document, source, f.Line, byInstruction)).ToArray();
        var result = new string[findings.Count];
        // The occurrence among equal (rule, stage, text) findings, in source order: two identical instructions
        // keep distinct fingerprints, and swapping them changes nothing.
        var order = Enumerable.Range(0, findings.Count).ToArray();
        Array.Sort(order, (a, b) => findings[a].Line != findings[b].Line ? findings[a].Line.CompareTo(findings[b].Line)
            : findings[a].Column != findings[b].Column ? findings[a].Column.CompareTo(findings[b].Column) : a.CompareTo(b));
        var seen = new Dictionary<(string, string, string), int>();
        foreach (var i in order)
        {
            var key = (findings[i].RuleId, anchors[i].Stage, anchors[i].Text);
            seen.TryGetValue(key, out var occurrence);
            seen[key] = occurrence + 1;
            result[i] = Hash($"{findings[i].RuleId}\n{anchors[i].Stage}\n{anchors[i].Text}\n{occurrence}");
        }
        return result;
    }

    private static (string Stage, string Text) Anchor(
        DockerfileDocument? document, SourceText source, int line, Dictionary<Instruction, (string Stage, string Text)> byInstruction)
    {
        var instruction = document?.InstructionAtLine(line);
        if (instruction is not null)
        {
            if (!byInstruction.TryGetValue(instruction, out var anchor))
            {
                anchor = (StageOf(document!, instruction), InstructionText(instruction));
                byInstruction[instruction] = anchor;
            }
            return anchor;
        }
        var previous = document is null ? null : Before(document.Instructions, line);
        var stage = previous is null ? "" : StageOf(document!, previous);
        if (line < 1 || line > source.LineCount)
        {
            return (stage, "file");
        }
        var start = source.LineStart(line - 1);
        return (stage, "line " + Collapse(source.Text[start..source.LineContentEnd(line - 1)]));
    }

    /// <summary>The instruction's keyword and text, whitespace and line continuations collapsed: what anchors its findings.</summary>
    public static string InstructionText(Instruction instruction)
    {
        var original = instruction.Original;
        var rest = original.Length >= instruction.RawKeyword.Length ? original[instruction.RawKeyword.Length..] : original;
        return instruction.Keyword + " " + Collapse(rest);
    }

    /// <summary>The last instruction starting before <paramref name="line"/> (instructions are in source order).</summary>
    private static Instruction? Before(IReadOnlyList<Instruction> instructions, int line)
    {
        int lo = 0, hi = instructions.Count - 1;
        Instruction? found = null;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (instructions[mid].StartLine < line)
            {
                found = instructions[mid];
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /// <summary>
    /// A named stage by its name; an unnamed one by its base image's repository without tag or digest, so bumping
    /// <c>debian:12</c> to <c>debian:12.5</c> keeps every fingerprint of the stage. Unnamed stages of the same
    /// repository are told apart by their place among those stages.
    /// </summary>
    private static string StageOf(DockerfileDocument document, Instruction instruction)
    {
        if (instruction.Stage is not { } index || index >= document.Stages.Count)
        {
            return "";
        }
        var stage = document.Stages[index];
        if (stage.Name is { Length: > 0 } name)
        {
            return "as " + name.ToLowerInvariant();
        }
        var repository = Repository(stage.BaseImage);
        var same = 0;
        for (var i = 0; i < index; i++)
        {
            if (document.Stages[i].Name is not { Length: > 0 } && Repository(document.Stages[i].BaseImage) == repository)
            {
                same++;
            }
        }
        return same == 0 ? "from " + repository : $"from {repository} #{same}";
    }

    /// <summary><c>host:5000/team/app:tag@sha256:…</c> → <c>host:5000/team/app</c> (a port's colon is before the last slash).</summary>
    internal static string Repository(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? name[..colon] : name;
    }

    /// <summary>Whitespace runs (and backslash-newline continuations) as one space, trimmed.</summary>
    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length && text[i + 1] is '\n' or '\r')
            {
                space = true;
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }
            space = false;
            builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>XXH128 (a specified, stable algorithm; an identity, not a secret) as 32 hex digits.</summary>
    private static string Hash(string text) => Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(text)));
}
