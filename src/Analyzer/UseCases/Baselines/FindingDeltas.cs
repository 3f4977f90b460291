using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Reports.Schema;

namespace LayerLens.Analyzer.UseCases.Baselines;

/// <summary>
/// Findings of two versions of a Dockerfile, matched without line numbers. First by <see cref="FindingFingerprints"/>
/// (rule, stage, normalised instruction, occurrence): the same severity and message is <c>unchanged</c> wherever the
/// line moved, a different one <c>updated</c>. Then what is left by rule and message, in order: the instruction
/// was edited but the finding is the same (<c>updated</c>). A current finding still unmatched is <c>new</c>, a
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

        // The same rule and message on an edited instruction: the finding survived the edit.
        var leftover = Enumerable.Range(0, before.Findings.Count).Where(j => !matched[j])
            .GroupBy(j => (before.Findings[j].RuleId, before.Findings[j].Message))
            .ToDictionary(g => g.Key, g => new Queue<int>(g));
        for (var i = 0; i < after.Findings.Count; i++)
        {
            if (states[i] is not null)
            {
                continue;
            }
            var finding = after.Findings[i];
            if (leftover.TryGetValue((finding.RuleId, finding.Message), out var queue) && queue.Count > 0)
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

    private static IReadOnlyList<string> Fingerprints(ReviewedDockerfile file) =>
        FindingFingerprints.Compute(file.Text, [.. file.Findings.Select(f => new FindingLocation(f.RuleId, f.Line, f.Column))]);
}
