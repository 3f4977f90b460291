using LayerLens.Analyzer.Dockerfiles.Model;
using System.Globalization;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.CostModel;

/// <summary>
/// Step durations estimated from an image built from the Dockerfile: the image's history holds one entry per
/// instruction of the final stage, last, each <c>created</c> when its step was committed, so the delta to the
/// entry before approximates the step's time. Entries are aligned with the instructions from the end and
/// checked by text; one mismatch means the image came from another Dockerfile and nothing is used.
/// </summary>
public static class ImageHistoryDurations
{
    /// <summary>A delta longer than this spans builds (a step served from an older cache), not one step.</summary>
    public static readonly TimeSpan MaxStep = TimeSpan.FromHours(6);

    /// <summary>Sets the durations of the final stage's steps it can estimate; returns how many.</summary>
    public static int Apply(StepDurations durations, IReadOnlyList<Step> finalStage, IReadOnlyList<HistoryEntry> history)
    {
        var steps = finalStage.Where(s => s.Keyword != "FROM" && s.Instruction is not null).ToList();
        var offset = history.Count - steps.Count;
        if (steps.Count == 0 || offset < 0)
        {
            return 0;
        }
        for (var k = 0; k < steps.Count; k++)
        {
            if (!Matches(steps[k], history[offset + k].CreatedBy ?? ""))
            {
                return 0;
            }
        }
        var set = 0;
        for (var k = 0; k < steps.Count; k++)
        {
            // The first step's predecessor is the base image's last entry (or nothing): no duration.
            if (offset + k == 0 || k == 0
                || Created(history[offset + k - 1]) is not { } before || Created(history[offset + k]) is not { } after)
            {
                continue;
            }
            var delta = after - before;
            if (delta >= TimeSpan.Zero && delta <= MaxStep)
            {
                durations.Set(steps[k], delta.TotalSeconds);
                set++;
            }
        }
        if (set > 0)
        {
            durations.Source = "image history";
        }
        return set;
    }

    /// <summary>
    /// buildah and the classic builder write "/bin/sh -c #(nop) COPY ..." or "/bin/sh -c COMMAND"; BuildKit
    /// "RUN /bin/sh -c COMMAND # buildkit". A RUN's entry holds its command text, any other its keyword.
    /// </summary>
    private static bool Matches(Step step, string createdBy)
    {
        var text = InstructionText.OneLine(createdBy);
        return step.Keyword == "RUN"
            ? text.Contains(InstructionText.OneLine(step.Instruction!.ArgumentText), StringComparison.Ordinal)
            : text.Contains(step.Keyword, StringComparison.OrdinalIgnoreCase);
    }

    private static DateTimeOffset? Created(HistoryEntry entry) =>
        DateTimeOffset.TryParse(entry.Created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : null;
}
