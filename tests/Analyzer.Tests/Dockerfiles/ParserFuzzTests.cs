using System.Diagnostics;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Dockerfiles.Syntax;

namespace LayerLens.Analyzer.Tests.Dockerfiles;

public class ParserFuzzTests
{
    [Fact]
    public void Random_dockerfiles_parse_or_fail_cleanly_round_trip_and_lint()
    {
        string[] pieces = ["FROM ", "RUN ", "COPY ", "ENV ", "ARG ", "ONBUILD ", "HEALTHCHECK ", "CMD ", "# escape=`\n", "#", "\\", "`", "\n", "\r\n", " ", "\t",
            "[", "]", "\"", "'", ",", "<<EOF", "<<-'X'", "EOF", "X", "--mount=type=cache", "--", "=", "a", "$A", "${A:-b}", "\uFEFF", "é", "AS ", "apt-get install ", "| ", "&& ", "rm -rf /x ", "--from=", "EXPOSE ", "WORKDIR ", "USER ", "MAINTAINER ", "scratch"];
        var random = new Random(4242);
        var sw = Stopwatch.StartNew();
        var parsed = 0;
        for (var n = 0; n < 3000; n++)
        {
            var count = random.Next(1, 60);
            var text = string.Concat(Enumerable.Range(0, count).Select(_ => pieces[random.Next(pieces.Length)]));
            try
            {
                var document = DockerfileDocument.Parse(text);
                Assert.Equal(text, SyntaxDocument.Create(document).Write());
                _ = document.Result.Dump();
                _ = LayerLens.Analyzer.Dockerfiles.Linting.Linter.Lint(document, new LayerLens.Analyzer.Dockerfiles.Linting.LintOptions { DockerIgnore = ["*"] }, "Dockerfile");
                parsed++;
            }
            catch (DockerfileParseException ex)
            {
                Assert.False(string.IsNullOrEmpty(ex.Message));
            }
        }
        Assert.True(parsed > 100);
        // A hang guard, not a speed target (the suite shares two cores with image builds).
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(90), sw.Elapsed.ToString());
    }
}
