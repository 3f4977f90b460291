using LayerLens.Analyzer.Analysis;
using Spectre.Console;

namespace LayerLens.Cli.Progress;

/// <summary>A progress bar on stderr when stderr is a terminal; silence otherwise (CI logs stay clean).</summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(Func<IProgress<AnalysisProgress>?, Task<T>> work)
    {
        if (Console.IsErrorRedirected)
        {
            return await work(null);
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("layers 0/?", maxValue: 1);
                var progress = new Progress<AnalysisProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.TotalBytes);
                    task.Value = Math.Min(p.BytesRead, task.MaxValue);
                    task.Description = $"layers {p.LayersDone}/{p.LayerCount}";
                });
                return await work(progress);
            });
    }
}
