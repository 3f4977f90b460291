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

    private Dictionary<string, int>? _stageByName;

    /// <summary>Index of the first stage with this name (case-insensitive), or -1.</summary>
    public int StageIndex(string name)
    {
        if (_stageByName == null)
        {
            var map = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            foreach (var stage in Stages)
            {
                if (stage.Name != null)
                {
                    map.TryAdd(stage.Name, stage.Index);
                }
            }
            _stageByName = map;
        }
        return _stageByName.TryGetValue(name, out var index) ? index : -1;
    }

    /// <summary>True when <paramref name="name"/> names a stage defined before stage <paramref name="before"/>.</summary>
    public bool IsEarlierStage(string name, int before)
    {
        var index = StageIndex(name);
        return index >= 0 && index < before;
    }

    /// <summary>The instruction whose lines include <paramref name="line"/>, or null.</summary>
    public Instruction? InstructionAtLine(int line)
    {
        int lo = 0, hi = Instructions.Count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            var i = Instructions[mid];
            if (line < i.StartLine)
            {
                hi = mid - 1;
            }
            else if (line > i.EndLine)
            {
                lo = mid + 1;
            }
            else
            {
                return i;
            }
        }
        return null;
    }

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
