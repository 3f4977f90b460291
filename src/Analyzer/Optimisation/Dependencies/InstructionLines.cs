using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>An instruction's 1-based start line and its text (keyword and arguments as written, on one line).</summary>
public sealed record InstructionLine(int Line, string Text);

/// <summary>
/// The instructions of a Dockerfile text per stage, FROM first, in the order a builder numbers its steps, so a
/// step position (stage, index) of the original or the recommendation maps to the line it has in that text.
/// </summary>
public static class InstructionLines
{
    public static IReadOnlyList<IReadOnlyList<InstructionLine>> Of(string dockerfile)
    {
        var document = DockerfileDocument.Parse(dockerfile);
        return [.. document.Stages.Select(s => (IReadOnlyList<InstructionLine>)[.. s.Instructions.Select(i => new InstructionLine(i.StartLine, InstructionText.OneLine(i.Original)))])];
    }

    public static InstructionLine? At(IReadOnlyList<IReadOnlyList<InstructionLine>> lines, int stage, int index) =>
        stage < lines.Count && index < lines[stage].Count ? lines[stage][index] : null;
}
