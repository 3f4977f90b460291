using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Reports.Schema;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// Findings of two versions of a Dockerfile, matched without line numbers. First by <see cref="FindingFingerprints"/>
/// (rule, stage, normalised instruction, occurrence): the same severity and message is <c>unchanged</c> wherever the
/// line moved, a different one <c>updated</c>. Then what is left by rule and message, in order, within an instruction
/// and its counterpart in the other version (<see cref="SequenceAlignment"/>): the instruction was edited but the
/// finding is the same (<c>updated</c>). A current finding still unmatched is <c>new</c>, a
/// baseline finding <c>absent</c>.
/// </summary>
public static class FindingDeltas
{
    public static FindingsDelta Compute(ReviewedDockerfile before, ReviewedDockerfile after)
    {
        var beforePrints = Fingerprints(before);
        var afterPrints = Fingerprints(after);
        var byPrint = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < beforePrints.Count; i++)
        {
            byPrint.TryAdd(beforePrints[i], i);
        }

        var matched = new bool[before.Findings.Count];
        var states = new FindingDelta?[after.Findings.Count];
        for (var i = 0; i < after.Findings.Count; i++)
        {
            if (byPrint.TryGetValue(afterPrints[i], out var j) && !matched[j])
            {
                matched[j] = true;
                states[i] = Pair(after.Findings[i], afterPrints[i], before.Findings[j], sameFingerprint: true);
            }
        }

        // The same rule and message on an edited instruction: the finding survived the edit. Only within an instruction
        // and its counterpart (aligned by text, an edited one by position between aligned neighbours): a new
        // instruction elsewhere with the same rule and message is new, not the fixed one updated.
        var partners = InstructionPartners(before.Text, after.Text);
        var beforeAt = InstructionIndex(before);
        var afterAt = InstructionIndex(after);
        var leftover = Enumerable.Range(0, before.Findings.Count)
            .Where(j => !matched[j] && beforeAt[j] is { } b && partners.ContainsKey(b))
            .GroupBy(j => (partners[beforeAt[j]!.Value], before.Findings[j].RuleId, before.Findings[j].Message))
            .ToDictionary(g => g.Key, g => new Queue<int>(g));
        for (var i = 0; i < after.Findings.Count; i++)
        {
            if (states[i] is not null)
            {
                continue;
            }
            var finding = after.Findings[i];
            if (afterAt[i] is { } a && leftover.TryGetValue((a, finding.RuleId, finding.Message), out var queue) && queue.Count > 0)
            {
                var j = queue.Dequeue();
                matched[j] = true;
                states[i] = Pair(finding, afterPrints[i], before.Findings[j], sameFingerprint: false);
            }
            else
            {
                states[i] = new FindingDelta(BaselineState.New, afterPrints[i], finding, null);
            }
        }

        var all = states.Select(s => s!)
            .Concat(Enumerable.Range(0, before.Findings.Count).Where(j => !matched[j])
                .Select(j => new FindingDelta(BaselineState.Absent, beforePrints[j], before.Findings[j], null)))
            .ToList();
        return new FindingsDelta(
            all.Count(f => f.State == BaselineState.New),
            all.Count(f => f.State == BaselineState.Unchanged),
            all.Count(f => f.State == BaselineState.Updated),
            all.Count(f => f.State == BaselineState.Absent),
            all);
    }

    private static FindingDelta Pair(ReviewFinding current, string fingerprint, ReviewFinding baseline, bool sameFingerprint) =>
        sameFingerprint && current.Severity == baseline.Severity && current.Message == baseline.Message
            ? new FindingDelta(BaselineState.Unchanged, fingerprint, current, null)
            : new FindingDelta(BaselineState.Updated, fingerprint, current, baseline);

    /// <summary>Above this many instruction pairs (hostile files), edited instructions are not paired: their findings are new.</summary>
    private const long MaxAlignmentCells = 4_000_000;

    /// <summary>Each baseline instruction's counterpart in the current file; none when either file does not parse.</summary>
    private static Dictionary<int, int> InstructionPartners(string before, string after)
    {
        if (Parse(before) is not { } b || Parse(after) is not { } a)
        {
            return [];
        }
        var pairs = SequenceAlignment.Align([.. b.Instructions.Select(FindingFingerprints.InstructionText)],
            [.. a.Instructions.Select(FindingFingerprints.InstructionText)], StringComparer.Ordinal, MaxAlignmentCells);
        return pairs.ToDictionary(p => p.Before, p => p.After);
    }

    /// <summary>The index of the instruction each finding is in (null outside any, or when the file does not parse).</summary>
    private static int?[] InstructionIndex(ReviewedDockerfile file)
    {
        var document = Parse(file.Text);
        if (document is null)
        {
            return new int?[file.Findings.Count];
        }
        var index = new Dictionary<Instruction, int>(ReferenceEqualityComparer.Instance);
        for (var i = 0; i < document.Instructions.Count; i++)
        {
            index[document.Instructions[i]] = i;
        }
        return [.. file.Findings.Select(f => document.InstructionAtLine(f.Line) is { } instruction && index.TryGetValue(instruction, out var i) ? i : (int?)null)];
    }

    private static DockerfileDocument? Parse(string text)
    {
        try
        {
            return DockerfileDocument.Parse(text);
        }
        catch (DockerfileParseException)
        {
            return null;
        }
    }

    private static IReadOnlyList<string> Fingerprints(ReviewedDockerfile file) =>
        FindingFingerprints.Compute(file.Text, [.. file.Findings.Select(f => new FindingLocation(f.RuleId, f.Line, f.Column))]);
}
