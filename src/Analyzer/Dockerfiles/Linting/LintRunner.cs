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
        foreach (var file in Expand(paths))
        {
            report.Files.Add(file);
            try
            {
                var document = DockerfileDocument.From(DockerfileParser.Parse(DockerfileLoader.Load(file)));
                options.DockerIgnore = ReadDockerIgnore(file);
                report.Findings.AddRange(Linter.Lint(document, options, file));
            }
            catch (DockerfileParseException ex)
            {
                report.Errors.Add((file, ex.Line, ex.Message));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                report.Errors.Add((file, 0, ex.Message));
            }
        }
        return report;
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

    private static List<string>? ReadDockerIgnore(string dockerfile)
    {
        foreach (var candidate in new[] { dockerfile + ".dockerignore", Path.Combine(Path.GetDirectoryName(Path.GetFullPath(dockerfile)) ?? ".", ".dockerignore") })
        {
            var info = new FileInfo(candidate);
            if (info.Exists && info.Length < 1024 * 1024)
            {
                return [.. File.ReadAllLines(candidate)];
            }
        }
        return null;
    }
}
