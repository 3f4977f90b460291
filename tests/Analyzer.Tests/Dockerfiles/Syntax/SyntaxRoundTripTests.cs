using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Syntax;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Syntax;

public class SyntaxRoundTripTests
{
    public static IEnumerable<object[]> AllFiles()
    {
        foreach (var file in SharedData.CorpusFiles())
        {
            yield return [file];
        }
        foreach (var dir in Directory.EnumerateDirectories(SharedData.BuildKitParser("testfiles")))
        {
            yield return [Path.Combine(dir, "Dockerfile")];
        }
        yield return [SharedData.BuildKitParser("testfile-line", "Dockerfile")];
    }

    [Fact]
    public void Writing_an_unmodified_tree_reproduces_every_corpus_and_conformance_file_byte_for_byte()
    {
        var count = 0;
        foreach (var file in AllFiles().Select(a => (string)a[0]))
        {
            var bytes = File.ReadAllBytes(file);
            var text = SharedData.ReadText(file);
            var written = SyntaxDocument.Create(DockerfileDocument.Parse(text, file)).Write();
            Assert.True(bytes.AsSpan().SequenceEqual(System.Text.Encoding.UTF8.GetBytes(written)), file);
            count++;
        }
        Assert.True(count > 200);
    }

    [Theory]
    [InlineData("\uFEFF# syntax=docker/dockerfile:1\r\n\r\n# base\r\nFROM a\r\n  # inside\r\nRUN x \\\r\n\r\n   y\r\nCOPY <<EOF /f\r\nbody\r\nEOF\r\n# tail")]
    [InlineData("FROM a\nRUN echo \\")]
    [InlineData("\n\n   FROM a   \n\t\n")]
    public void Odd_files_round_trip(string text)
    {
        Assert.Equal(text, SyntaxDocument.Create(DockerfileDocument.Parse(text)).Write());
    }

    [Fact]
    public void Moving_an_instruction_keeps_its_leading_comments_and_newline_style()
    {
        var text = "FROM a\r\n\r\n# copy sources\r\nCOPY . /src\r\n# install deps\r\nRUN npm ci";
        var tree = SyntaxDocument.Create(DockerfileDocument.Parse(text));
        var blocks = tree.InstructionBlocks.ToList();

        tree.MoveBefore(blocks[2], blocks[1]);

        Assert.Equal("FROM a\r\n\r\n# install deps\r\nRUN npm ci\r\n# copy sources\r\nCOPY . /src\r\n", tree.Write());
    }

    [Fact]
    public void Removing_and_replacing_instructions_edits_only_those_lines()
    {
        var text = "FROM a\n# noisy\nRUN apt-get update\nRUN apt-get install -y curl \\\n    git\n";
        var tree = SyntaxDocument.Create(DockerfileDocument.Parse(text));
        var blocks = tree.InstructionBlocks.ToList();

        tree.Remove(blocks[1]);
        tree.Replace(blocks[2], "RUN apt-get update && apt-get install -y curl \\\n    git");

        Assert.Equal("FROM a\nRUN apt-get update && apt-get install -y curl \\\n    git\n", tree.Write());
    }
}
