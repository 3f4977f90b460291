namespace LayerLens.Analyzer.Dockerfiles.Model;

/// <summary>A build stage: its FROM, base image text, optional name and instructions (FROM included).</summary>
public sealed class Stage
{
    public required int Index { get; init; }

    public required Instruction From { get; init; }

    public required string BaseImage { get; init; }

    public string? Name { get; init; }

    public List<Instruction> Instructions { get; } = [];
}
