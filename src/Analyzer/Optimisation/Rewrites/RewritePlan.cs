using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Syntax;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Optimisation.CostModel;
using LayerLens.Analyzer.Optimisation.Dependencies;

namespace LayerLens.Analyzer.Optimisation.Rewrites;

/// <summary>The state the rewrites share: the syntax tree being edited, the per-stage step lists kept in step with it, and the change log.</summary>
public sealed class RewritePlan
{
    public required DockerfileDocument Document { get; init; }

    public required SyntaxDocument Syntax { get; init; }

    public required List<List<Step>> Stages { get; init; }

    public required BuildContext Context { get; init; }

    /// <summary>The change events and step durations the cost model weighs orders with.</summary>
    public required IReadOnlyList<ChangeEvent> Events { get; init; }

    public required StepDurations Durations { get; init; }

    public required IReadOnlyList<string?> StageNames { get; init; }

    public List<OptimisationChange> Changes { get; } = [];

    /// <summary>Steps created by merging others; the cost model adds up the originals' durations.</summary>
    public Dictionary<Step, List<Step>> MergedFrom { get; } = [];

    public char Escape => Document.Result.EscapeToken;

    public string Newline => Syntax.Newline;

    /// <summary>
    /// Step-times-event evaluations the cost model may spend on one Dockerfile: hostile or generated files with
    /// thousands of movable steps get no cost-driven rewrites past it (the order is kept) instead of a hang.
    /// </summary>
    public const long CostBudget = 20_000_000;

    /// <summary>Valid places a COPY is weighed at, the farthest first: enough for real files, bounded for huge ones.</summary>
    public const int MaxCandidates = 8;

    private long _costSpent;
    private readonly Dictionary<Step, double> _durationCache = [];
    private int _mergedWhenCached = -1;

    /// <summary>Expected rebuild seconds per change of the stages as they are now; null past the budget.</summary>
    public double? ExpectedCost() => ExpectedCost(Stages);

    /// <summary>Expected rebuild seconds per change of a candidate order; null past the budget.</summary>
    public double? ExpectedCost(IReadOnlyList<List<Step>> stages)
    {
        _costSpent += (long)stages.Sum(s => s.Count) * Math.Max(1, Events.Count);
        if (_costSpent > CostBudget)
        {
            return null;
        }
        if (_mergedWhenCached != MergedFrom.Count)
        {
            // A merge changes what a step costs; nothing else does while rewriting.
            _durationCache.Clear();
            _mergedWhenCached = MergedFrom.Count;
        }
        var duration = RebuildCost.Durations(Durations, Context, MergedFrom);
        return RebuildCost.Expected(stages, Events, step =>
        {
            if (!_durationCache.TryGetValue(step, out var seconds))
            {
                _durationCache[step] = seconds = duration(step);
            }
            return seconds;
        }, StageNames);
    }

    /// <summary>The expected cost with one stage replaced by a candidate order of its steps; null past the budget.</summary>
    public double? ExpectedCostWith(int stageIndex, List<Step> candidate) =>
        ExpectedCost([.. Stages.Select((s, i) => i == stageIndex ? candidate : s)]);

    /// <summary>A change is proposed only when it lowers the expected rebuild by more than rounding noise.</summary>
    public static bool Lowers(double? candidate, double? current) => candidate is { } a && current is { } b && a < b - 1e-6;

    /// <summary>True when <paramref name="mover"/> may be placed after every step in <paramref name="others"/>.</summary>
    public static bool CommutesWithAll(InstructionEffect mover, IEnumerable<Step> others, out Step? blocker, out string reason)
    {
        foreach (var other in others)
        {
            if (InstructionEffect.Conflicts(mover, other.Effect, out reason))
            {
                blocker = other;
                return false;
            }
        }
        blocker = null;
        reason = "";
        return true;
    }

    /// <summary>Offset in a block body of a 1-based source line/column of its instruction.</summary>
    public static int BodyOffset(InstructionBlock block, int line, int column)
    {
        var body = block.Body;
        var offset = 0;
        for (var l = block.Instruction!.StartLine; l < line; l++)
        {
            var nl = body.IndexOf('\n', offset);
            if (nl < 0)
            {
                return body.Length;
            }
            offset = nl + 1;
        }
        return Math.Min(body.Length, offset + column - 1);
    }

    public static string Describe(Step step) => step.Instruction is { } i
        ? $"{i.Keyword} at line {i.StartLine}"
        : step.Keyword;
}
