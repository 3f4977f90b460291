using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Parsing;

public class BuildKitConformanceTests
{
    public static IEnumerable<object[]> Positive() => SharedData.PositiveCases();

    [Theory]
    [MemberData(nameof(Positive))]
    public void Positive_case_dump_matches_buildkit_result_byte_for_byte(string name)
    {
        var input = SharedData.ReadText(SharedData.BuildKitParser("testfiles", name, "Dockerfile"));
        var expected = SharedData.ReadText(SharedData.BuildKitParser("testfiles", name, "result"));

        var dump = DockerfileParser.Parse(input).Dump();

        Assert.Equal(expected, dump);
    }

    [Theory]
    [InlineData("empty_dockerfile", "file with no instructions")]
    [InlineData("only_comments", "file with no instructions")]
    [InlineData("env_no_value", "ENV must have two arguments")]
    [InlineData("shykes-nested-json", "when using JSON array syntax, arrays must be comprised of strings only")]
    public void Negative_case_fails_with_buildkit_message(string name, string message)
    {
        var input = SharedData.ReadText(SharedData.BuildKitParser("testfiles-negative", name, "Dockerfile"));

        var ex = Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse(input));

        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void Line_ranges_match_buildkit_line_test()
    {
        var input = SharedData.ReadText(SharedData.BuildKitParser("testfile-line", "Dockerfile"));

        var result = DockerfileParser.Parse(input);

        Assert.Equal(3, result.Instructions.Count);
        Assert.Equal([(5, 5), (11, 12), (17, 31)], result.Instructions.Select(n => (n.StartLine, n.EndLine)));
        Assert.Equal("\\", Assert.Single(result.Directives).Value);
    }

    [Fact]
    public void Empty_continuation_lines_warn_but_comment_lines_do_not()
    {
        var result = DockerfileParser.Parse("FROM busybox\nRUN echo hello \\\n\n  world\nRUN echo a \\\n# comment\n  b\n");

        var warning = Assert.Single(result.Warnings);
        Assert.Equal("Empty continuation line found in: RUN echo hello   world", warning.Message);
        Assert.Equal("(from \"busybox\")\n(run \"echo hello   world\")\n(run \"echo a   b\")\n", result.Dump());
    }

    [Fact]
    public void Physical_line_longer_than_65535_bytes_is_rejected_naming_the_line()
    {
        var ok = "FROM a\nRUN " + new string('x', DockerfileParser.MaxLineBytes - 4) + "\n";
        Assert.Single(DockerfileParser.Parse(ok).Instructions.Skip(1));

        var tooLong = "FROM a\nRUN " + new string('x', DockerfileParser.MaxLineBytes - 3) + "\n";
        var ex = Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse(tooLong));
        Assert.Equal("dockerfile line greater than max allowed size of 65535", ex.Message);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void Every_official_corpus_file_parses()
    {
        var files = SharedData.CorpusFiles().ToList();
        Assert.True(files.Count > 100);
        foreach (var file in files)
        {
            var result = DockerfileParser.Parse(SharedData.ReadText(file), file);
            Assert.NotEmpty(result.Instructions);
        }
    }
}
