using System.IO.Compression;
using System.Text;
using System.Text.Json;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Linting;

/// <summary>
/// Lint findings on the whole official corpus (../shared) are exactly those recorded in corpus-findings.tsv.gz,
/// written by the linter before its speed-up (issue 16): id, severity, range and message of every finding, in
/// report order. Regenerate only when a rule change is meant to change findings, and say so in the commit.
/// </summary>
public class LintCorpusTests
{
    private static readonly string Golden = Path.Combine(SharedData.RepoRoot, "tests", "Analyzer.Tests", "Dockerfiles", "Linting", "corpus-findings.tsv.gz");

    [Fact]
    public void Findings_on_the_official_corpus_are_unchanged_in_json_output()
    {
        var corpus = SharedData.Shared("corpus", "dockerfiles-official");
        var report = LintRunner.Run([corpus], new LintOptions());
        Assert.Empty(report.Errors);
        Assert.Equal(216, report.Files.Count);

        using var json = new MemoryStream();
        LintReportWriters.Write(report, "json", json);
        using var document = JsonDocument.Parse(json.ToArray());
        var actual = document.RootElement.GetProperty("findings").EnumerateArray().Select(Line).ToList();

        using var reader = new StreamReader(new GZipStream(File.OpenRead(Golden), CompressionMode.Decompress), Encoding.UTF8);
        var expected = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < Math.Min(expected.Length, actual.Count); i++)
        {
            Assert.True(expected[i] == actual[i], $"finding {i} differs:\nexpected {expected[i]}\nactual   {actual[i]}");
        }
        Assert.Equal(expected.Length, actual.Count);
    }

    private static string Line(JsonElement f)
    {
        var message = f.GetProperty("message").GetString()!
            .Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
        return string.Join('\t',
            Path.GetFileName(f.GetProperty("file").GetString()), f.GetProperty("ruleId").GetString(), f.GetProperty("severity").GetString(),
            f.GetProperty("line").GetInt32(), f.GetProperty("column").GetInt32(), f.GetProperty("endLine").GetInt32(), f.GetProperty("endColumn").GetInt32(),
            message);
    }
}
