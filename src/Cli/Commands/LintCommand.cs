using System.CommandLine;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;

namespace LayerLens.Cli.Commands;

/// <summary>
/// <c>layerlens lint &lt;files or dirs...&gt; [--format ...] [--config FILE]</c>: exit 1 when a finding reaches the
/// failure threshold, 2 when a file cannot be read or parsed or the configuration is bad.
/// </summary>
internal static class LintCommand
{
    private static readonly string[] DefaultConfigNames = ["layerlens.yaml", ".hadolint.yaml", ".hadolint.yml"];

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Dockerfiles or directories to search", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format") { Description = "table, json, sarif, markdown, junit or checkstyle", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(LintReportWriters.Formats);
        var config = new Option<string?>("--config") { Description = ".hadolint.yaml or layerlens.yaml (default: one in the current directory)" };
        var threshold = new Option<string?>("--failure-threshold") { Description = "error, warning, info, style or none" };
        var command = new Command("lint", "Lint Dockerfiles (hadolint and BuildKit checks plus LayerLens size and cache rules)") { paths, format, config, threshold };
        command.SetAction(result => Run(result.GetValue(paths)!, result.GetValue(format)!, result.GetValue(config), result.GetValue(threshold)));
        return command;
    }

    private static int Run(string[] paths, string format, string? configPath, string? threshold)
    {
        LintOptions options;
        try
        {
            configPath ??= DefaultConfigNames.FirstOrDefault(File.Exists);
            options = configPath != null ? LintConfigLoader.Load(configPath) : new LintOptions();
            if (threshold != null)
            {
                if (threshold == "none")
                {
                    options.FailureThreshold = null;
                }
                else if (SeverityNames.TryParse(threshold, out var t))
                {
                    options.FailureThreshold = t;
                }
                else
                {
                    throw new FormatException($"unknown failure threshold '{threshold}'");
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"layerlens: {ex.Message}");
            return ExitCodes.BadInput;
        }
        // Only SARIF carries fingerprints (partialFingerprints); the other formats skip computing them.
        options.Fingerprints = format == "sarif";
        var missing = paths.Where(p => !File.Exists(p) && !Directory.Exists(p)).ToList();
        foreach (var m in missing)
        {
            Console.Error.WriteLine($"layerlens: {m}: no such file or directory");
        }
        if (missing.Count > 0)
        {
            return ExitCodes.BadInput;
        }
        var report = LintRunner.Run(paths, options);
        foreach (var (file, line, message) in report.Errors)
        {
            Console.Error.WriteLine(line > 0 ? $"layerlens: {file}:{line}: {message}" : $"layerlens: {file}: {message}");
        }
        using (var stdout = Console.OpenStandardOutput())
        {
            LintReportWriters.Write(report, format, stdout);
            if (format is "json" or "sarif")
            {
                stdout.WriteByte((byte)'\n');
            }
        }
        if (report.Errors.Count > 0)
        {
            return ExitCodes.BadInput;
        }
        return report.Passed ? ExitCodes.Passed : ExitCodes.VerdictFailed;
    }
}
