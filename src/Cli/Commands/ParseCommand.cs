using System.CommandLine;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Output;
using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Cli.Commands;

/// <summary><c>layerlens parse &lt;Dockerfile&gt; --format json|buildkit</c>: the parse tree, or BuildKit's AST dump.</summary>
internal static class ParseCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("dockerfile") { Description = "The Dockerfile to parse" };
        var format = new Option<string>("--format") { Description = "json or buildkit (BuildKit's AST dump)", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "buildkit");
        var command = new Command("parse", "Parse a Dockerfile exactly as BuildKit does") { file, format };
        command.SetAction(result => Run(result.GetValue(file)!, result.GetValue(format)!));
        return command;
    }

    private static int Run(string path, string format)
    {
        DockerfileDocument document;
        try
        {
            document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(path)));
        }
        catch (DockerfileParseException ex)
        {
            Console.Error.WriteLine(ex.Line > 0 ? $"layerlens: {path}:{ex.Line}: {ex.Message}" : $"layerlens: {path}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"layerlens: {path}: {ex.Message}");
            return ExitCodes.BadInput;
        }
        foreach (var warning in document.Result.Warnings)
        {
            Console.Error.WriteLine($"layerlens: {path}:{warning.Line}: warning: {warning.Message}");
        }
        using var stdout = Console.OpenStandardOutput();
        if (format == "buildkit")
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(document.Result.Dump());
            stdout.Write(bytes);
        }
        else
        {
            ParseJsonWriter.Write(document, stdout);
            stdout.WriteByte((byte)'\n');
        }
        return ExitCodes.Passed;
    }
}
