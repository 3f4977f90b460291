using System.CommandLine;
using LayerLens.Cli;
using LayerLens.Cli.Commands;

var root = new RootCommand("LayerLens: look inside container images and Dockerfiles, and fix them.");
foreach (var command in CommandCatalog.Create())
{
    root.Subcommands.Add(command);
}

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0 && parsed.Action is not System.CommandLine.Help.HelpAction)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine($"layerlens: {error.Message}");
    }
    return ExitCodes.BadInput;
}

try
{
    return await parsed.InvokeAsync();
}
catch (Exception ex)
{
    Console.Error.WriteLine($"layerlens: internal error: {ex.Message}");
    return ExitCodes.InternalError;
}
