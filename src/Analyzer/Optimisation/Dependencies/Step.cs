using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Syntax;

namespace LayerLens.Analyzer.Optimisation.Dependencies;

/// <summary>One instruction of a stage with its modelled effect, as the rewrites see it.</summary>
public sealed class Step
{
    public required InstructionBlock Block { get; init; }

    public required InstructionEffect Effect { get; set; }

    public required int StageIndex { get; init; }

    public Instruction? Instruction => Block.Instruction;

    public string Keyword { get; init; } = "";

    /// <summary>Working directory before the instruction (null: unknown, inherited from a base image).</summary>
    public string? Cwd { get; init; }

    /// <summary>For COPY/ADD from the context: what lands where.</summary>
    public CopyPlan? Copy { get; init; }

    public IReadOnlyList<(InstallFootprint Install, string? Cwd)> Installs { get; init; } = [];

    /// <summary>The parsed shell commands of a RUN (empty when opaque or not a RUN).</summary>
    public IReadOnlyList<ShellCommand> Commands { get; init; } = [];

    /// <summary>1-based line of the instruction in the original file (0 for inserted text).</summary>
    public int Line => Instruction?.StartLine ?? 0;
}

/// <summary>A COPY/ADD from the build context: its resolved destination and the context files it copies to which image path.</summary>
public sealed class CopyPlan
{
    public required IReadOnlyList<string> Sources { get; init; }

    /// <summary>Absolute destination, or null when it could not be resolved.</summary>
    public required string? Destination { get; init; }

    /// <summary>Image path → context path, when the context was enumerated.</summary>
    public required IReadOnlyDictionary<string, string>? Files { get; init; }

    /// <summary>Flags other than the copy source/destination (kept when a COPY is split).</summary>
    public required IReadOnlyList<string> Flags { get; init; }

    /// <summary>Copies the whole context root ("COPY . dest").</summary>
    public bool IsBroad => Sources.Count == 1 && Sources[0] is "." or "./" or "/" or "./.";
}
