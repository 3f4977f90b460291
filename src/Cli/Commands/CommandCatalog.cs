using System.CommandLine;

namespace LayerLens.Cli.Commands;

/// <summary>Every top-level command; one file per command beside this one.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> Create()
    {
        yield return ParseCommand.Create();
        yield return AnalyzeCommand.Create();
        yield return RebuildCommand.Create();
        yield return OptimizeCommand.Create();
        yield return LintCommand.Create();
        yield return SubmitCommand.Create();
        yield return DiffCommand.Create();
    }
}
