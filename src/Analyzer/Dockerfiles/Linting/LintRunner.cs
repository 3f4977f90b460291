using System.Collections.Concurrent;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>Lints files and directories (every Dockerfile, Dockerfile.* and *.Dockerfile below a directory).</summary>
public static class LintRunner
{
    public static LintReport Run(IEnumerable<string> paths, LintOptions options)
    {
        var report = new LintReport { FailureThreshold = options.FailureThreshold };
        var files = Expand(paths).ToList();
        var results = new FileResult[files.Count];
        var directoryIgnores = new ConcurrentDictionary<string, List<string>?>(StringComparer.Ordinal);
        // Files are independent: lint them on every core, then report in input order.
        Parallel.For(0, files.Count, i => results[i] = LintFile(files[i], options, directoryIgnores));
        for (var i = 0; i < files.Count; i++)
        {
            report.Files.Add(files[i]);
            report.Findings.AddRange(results[i].Findings);
            if (results[i].Error is { } error)
            {
                report.Errors.Add(error);
            }
        }
        return report;
    }

    private sealed record FileResult(List<Finding> Findings, (string File, int Line, string Message)? Error);

    private static FileResult LintFile(string file, LintOptions shared, ConcurrentDictionary<string, List<string>?> directoryIgnores)
    {
        try
        {
            var document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(file)));
            var ignore = ReadDockerIgnore(file, directoryIgnores);
            var options = ignore == null ? shared : shared.ForFile(ignore);
            return new FileResult(Linter.Lint(document, options, file), null);
        }
        catch (DockerfileParseException ex)
        {
            return new FileResult([], (file, ex.Line, ex.Message));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new FileResult([], (file, 0, ex.Message));
        }
    }

    /// <summary>Files named as given, and Dockerfiles found below directories, in a stable order.</summary>
    public static IEnumerable<string> Expand(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
                foreach (var file in Directory.EnumerateFiles(path, "*", options).Where(IsDockerfileName).Order(StringComparer.Ordinal))
                {
                    yield return file;
                }
            }
            else
            {
                yield return path;
            }
        }
    }

    public static bool IsDockerfileName(string path)
    {
        var name = Path.GetFileName(path);
        return name == "Dockerfile" || name.StartsWith("Dockerfile.", StringComparison.Ordinal) || name.EndsWith(".Dockerfile", StringComparison.Ordinal)
            || name.Equals("dockerfile", StringComparison.Ordinal) || name.EndsWith(".dockerfile", StringComparison.Ordinal);
    }

    /// <summary>The Dockerfile's own <c>X.dockerignore</c>, else its directory's <c>.dockerignore</c> (read once per directory).</summary>
    private static List<string>? ReadDockerIgnore(string dockerfile, ConcurrentDictionary<string, List<string>?> directoryIgnores) =>
        ReadIgnoreFile(dockerfile + ".dockerignore")
        ?? directoryIgnores.GetOrAdd(Path.GetDirectoryName(dockerfile) ?? "", directory =>
            ReadIgnoreFile(Path.Combine(Path.GetFullPath(directory.Length == 0 ? "." : directory), ".dockerignore")));

    private static List<string>? ReadIgnoreFile(string path)
    {
        var info = new FileInfo(path);
        return info.Exists && info.Length < 1024 * 1024 ? [.. File.ReadAllLines(path)] : null;
    }
}
