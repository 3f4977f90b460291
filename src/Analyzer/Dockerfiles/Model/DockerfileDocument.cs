using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Dockerfiles.Model;

/// <summary>A parsed Dockerfile: BuildKit's result plus instructions with ranges, and stages.</summary>
public sealed class DockerfileDocument
{
    private DockerfileDocument(ParseResult result, List<Instruction> instructions, List<Stage> stages)
    {
        Result = result;
        Instructions = instructions;
        Stages = stages;
    }

    public ParseResult Result { get; }

    public SourceText Source => Result.Source;

    public IReadOnlyList<Instruction> Instructions { get; }

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>ARG instructions before the first FROM.</summary>
    public IEnumerable<Instruction> GlobalArgs => Instructions.TakeWhile(i => i.Keyword != "FROM").Where(i => i.Keyword == "ARG");

    public static DockerfileDocument Parse(string text, string? path = null) => From(DockerfileParser.Parse(text, path));

    public static DockerfileDocument From(ParseResult result)
    {
        var instructions = new List<Instruction>(result.Instructions.Count);
        var stages = new List<Stage>();
        foreach (var node in result.Instructions)
        {
            var instruction = InstructionFactory.Create(node, node, result.Source, instructions.Count);
            if (instruction.Keyword == "FROM")
            {
                var args = instruction.Args;
                string? name = args.Count >= 3 && args[1].Value.Equals("as", StringComparison.OrdinalIgnoreCase) ? args[2].Value : null;
                stages.Add(new Stage
                {
                    Index = stages.Count,
                    From = instruction,
                    BaseImage = args.Count > 0 ? args[0].Value : "",
                    Name = name,
                });
            }
            if (stages.Count > 0)
            {
                instruction.Stage = stages.Count - 1;
                stages[^1].Instructions.Add(instruction);
            }
            instructions.Add(instruction);
        }
        return new DockerfileDocument(result, instructions, stages);
    }
}
