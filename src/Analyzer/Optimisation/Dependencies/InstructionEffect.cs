namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>
/// What one instruction reads and writes: image paths, context files, and build state (variables,
/// WORKDIR, USER, SHELL, image config keys). Unknown effects are modelled as touching everything.
/// </summary>
public sealed class InstructionEffect
{
    public List<PathAccess> Reads { get; } = [];

    public List<PathAccess> Writes { get; } = [];

    /// <summary>Context files (relative paths) whose content the instruction depends on.</summary>
    public HashSet<string> ContextFiles { get; } = new(StringComparer.Ordinal);

    /// <summary>The instruction reads context content that could not be enumerated (no context, or ADD of a URL).</summary>
    public bool ContextUnknown { get; set; }

    public HashSet<string> StateReads { get; } = new(StringComparer.Ordinal);

    /// <summary>Reads every variable and WORKDIR/USER/SHELL (a RUN sees the whole environment).</summary>
    public bool ReadsAllState { get; set; }

    public HashSet<string> StateWrites { get; } = new(StringComparer.Ordinal);

    /// <summary>Nothing may move across it (FROM, VOLUME, ONBUILD-less unknowns).</summary>
    public bool IsBarrier { get; set; }

    /// <summary>Why the file effects are unknown, when they are (shown in explanations).</summary>
    public string? UnknownReason { get; set; }

    /// <summary>Stage names or indexes this instruction reads from (COPY --from, RUN --mount from).</summary>
    public HashSet<string> StageReads { get; } = new(StringComparer.OrdinalIgnoreCase);

    public void MarkUnknown(string reason)
    {
        UnknownReason ??= reason;
        Reads.Add(PathAccess.Anything);
        Writes.Add(PathAccess.Anything);
    }

    /// <summary>True when running <paramref name="a"/> and <paramref name="b"/> in the other order could change the result.</summary>
    public static bool Conflicts(InstructionEffect a, InstructionEffect b, out string reason)
    {
        if (a.IsBarrier || b.IsBarrier)
        {
            reason = "it is a barrier instruction";
            return true;
        }
        if ((StateClash(a, b) ?? StateClash(b, a)) is { } s)
        {
            reason = s;
            return true;
        }
        foreach (var w in a.Writes)
        {
            if (b.Reads.Concat(b.Writes).FirstOrDefault(o => o.Overlaps(w)) is { Path: not null } hit)
            {
                reason = $"both touch {Describe(w, hit)}";
                return true;
            }
        }
        foreach (var w in b.Writes)
        {
            if (a.Reads.FirstOrDefault(o => o.Overlaps(w)) is { Path: not null } hit)
            {
                reason = $"both touch {Describe(w, hit)}";
                return true;
            }
        }
        reason = "";
        return false;
    }

    private static string Describe(PathAccess x, PathAccess y) => x.Path.Length >= y.Path.Length ? x.Path : y.Path;

    private static string? StateClash(InstructionEffect writer, InstructionEffect other)
    {
        foreach (var key in writer.StateWrites)
        {
            if (other.StateWrites.Contains(key) || other.StateReads.Contains(key) || (other.ReadsAllState && !key.StartsWith("CONFIG:", StringComparison.Ordinal)))
            {
                return $"it depends on {key}";
            }
        }
        return null;
    }
}
