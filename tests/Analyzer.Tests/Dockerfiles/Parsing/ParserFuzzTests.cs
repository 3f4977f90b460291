using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Dockerfiles.Syntax;
using LayerLens.TestInfrastructure.Fuzzing;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Parsing;

public class ParserFuzzTests
{
    [Fact]
    public void Random_dockerfiles_parse_or_fail_cleanly_round_trip_and_lint()
    {
        string[] pieces = ["FROM ", "RUN ", "COPY ", "ENV ", "ARG ", "ONBUILD ", "HEALTHCHECK ", "CMD ", "# escape=`\n", "#", "\\", "`", "\n", "\r\n", " ", "\t",
            "[", "]", "\"", "'", ",", "<<EOF", "<<-'X'", "EOF", "X", "--mount=type=cache", "--", "=", "a", "$A", "${A:-b}", "\uFEFF", "é", "AS ", "apt-get install ", "| ", "&& ", "rm -rf /x ", "--from=", "EXPOSE ", "WORKDIR ", "USER ", "MAINTAINER ", "scratch"];
        var random = new Random(4242);
        var parsed = 0;
        for (var n = 0; n < 3000; n++)
        {
            var count = random.Next(1, 60);
            var text = string.Concat(Enumerable.Range(0, count).Select(_ => pieces[random.Next(pieces.Length)]));
            // A hang guard per input, not a speed target: the failure names the input that hung.
            HangGuard.Run(text, () =>
            {
                try
                {
                    var document = DockerfileDocument.Parse(text);
                    Assert.Equal(text, SyntaxDocument.Create(document).Write());
                    _ = document.Result.Dump();
                    _ = LayerLens.Analyzer.Dockerfiles.Linting.Linter.Lint(document, new LayerLens.Analyzer.Dockerfiles.Linting.LintOptions { DockerIgnore = ["*"] }, "Dockerfile");
                    Interlocked.Increment(ref parsed);
                }
                catch (DockerfileParseException ex)
                {
                    Assert.False(string.IsNullOrEmpty(ex.Message));
                }
            });
        }
        Assert.True(parsed > 100);
    }
}
