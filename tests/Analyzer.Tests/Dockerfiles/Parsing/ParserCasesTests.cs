using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Parsing;

/// <summary>Cases BuildKit's old testfiles do not cover; expectations follow BuildKit's parser rules.</summary>
public class ParserCasesTests
{
    [Fact]
    public void Heredocs_are_read_with_names_descriptors_chomp_and_expansion()
    {
        var text = "FROM alpine\nRUN <<EOF\necho hi\nEOF\nRUN 3<<-'NOEXPAND'\n\tdon't $X\n\tNOEXPAND\nCOPY <<A <<\"B\" /dest\none\nA\ntwo\nB\nRUN \"<<NOT\"\nUSER <<X\nRUN [\"<<EOF\"]\n";
        var result = DockerfileParser.Parse(text);

        var run = result.Instructions[1];
        var doc = Assert.Single(run.Heredocs!);
        Assert.Equal(("EOF", 0, true, false, "echo hi\n"), (doc.Name, doc.FileDescriptor, doc.Expand, doc.Chomp, doc.Content));
        Assert.Equal((2, 4), (run.StartLine, run.EndLine));

        var chomped = Assert.Single(result.Instructions[2].Heredocs!);
        Assert.Equal(("NOEXPAND", 3, false, true, "\tdon't $X\n"), (chomped.Name, chomped.FileDescriptor, chomped.Expand, chomped.Chomp, chomped.Content));

        var copy = result.Instructions[3].Heredocs!;
        Assert.Equal(["A", "B"], copy.Select(h => h.Name));
        Assert.Equal(["one\n", "two\n"], copy.Select(h => h.Content));
        Assert.Equal([true, false], copy.Select(h => h.Expand));

        Assert.Null(result.Instructions[4].Heredocs);
        Assert.Null(result.Instructions[5].Heredocs);
        Assert.Null(result.Instructions[6].Heredocs);
        Assert.Equal("(from \"alpine\")\n(run \"<<EOF\")\n(run \"3<<-'NOEXPAND'\")\n(copy \"<<A\" \"<<\\\"B\\\"\" \"/dest\")\n(run \"\\\"<<NOT\\\"\")\n(user \"<<X\")\n(run \"<<EOF\")\n", result.Dump());
    }

    [Fact]
    public void Unterminated_heredoc_is_an_error_naming_the_instruction_line()
    {
        var ex = Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse("FROM a\nRUN <<EOF\necho\n"));
        Assert.StartsWith("unterminated heredoc", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, ex.Line);
    }

    [Fact]
    public void From_as_names_stages_and_instructions_know_their_stage()
    {
        var doc = DockerfileDocument.Parse("ARG V=1\nFROM golang:1.22 AS build\nRUN go build\nFROM scratch as final\nCOPY --from=build /app /app\n");

        Assert.Equal(["build", "final"], doc.Stages.Select(s => s.Name));
        Assert.Equal([null, 0, 0, 1, 1], doc.Instructions.Select(i => i.Stage));
        Assert.Equal("build", doc.Instructions[4].FlagValue("from"));
        Assert.Equal("(arg \"V=1\")\n(from \"golang:1.22\" \"AS\" \"build\")\n(run \"go build\")\n(from \"scratch\" \"as\" \"final\")\n(copy [\"--from=build\"] \"/app\" \"/app\")\n", doc.Result.Dump());
    }

    [Fact]
    public void Run_mount_flags_keep_their_text_and_source_columns()
    {
        var doc = DockerfileDocument.Parse("FROM a\nRUN --mount=type=cache,target=/root/.cache \\\n    --network=none pip install x\n");
        var run = doc.Instructions[1];

        Assert.Equal(["--mount=type=cache,target=/root/.cache", "--network=none"], run.Flags.Select(f => f.Value));
        Assert.Equal(new SourceRange(2, 5, 2, 43), run.Flags[0].Range);
        Assert.Equal(new SourceRange(3, 5, 3, 19), run.Flags[1].Range);
        Assert.Equal("pip install x", run.Args[0].Value);
        Assert.Equal(new SourceRange(3, 20, 3, 33), run.Args[0].Range);
        Assert.Equal(new SourceRange(2, 1, 2, 4), run.KeywordRange);
    }

    [Fact]
    public void Directives_are_case_insensitive_only_at_the_top_and_not_repeatable()
    {
        var result = DockerfileParser.Parse("# SYNTAX=docker/dockerfile:1\n# Escape=`\n# check=skip=all\nFROM a\nRUN echo `\n  b\n# escape=\\\n");
        Assert.Equal(["syntax", "escape", "check"], result.Directives.Select(d => d.Name));
        Assert.Equal('`', result.EscapeToken);
        Assert.Equal("(from \"a\")\n(run \"echo   b\")\n", result.Dump());

        var ex = Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse("# escape=`\n# escape=`\nFROM a\n"));
        Assert.Equal("only one escape parser directive can be used", ex.Message);
        Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse("# escape=x\nFROM a\n"));

        var late = DockerfileParser.Parse("# a comment\n# escape=`\nFROM a\n");
        Assert.Equal('\\', late.EscapeToken);
    }

    [Fact]
    public void Shell_and_exec_forms_and_unknown_instructions_dump_like_buildkit()
    {
        var result = DockerfileParser.Parse("FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nSHELL /bin/sh\nFOO bar baz\nCMD ['x']\nENTRYPOINT [\"a\" , \"b\"] x\nSTOPSIGNAL SIGTERM\nONBUILD RUN --mount=type=cache echo\n");
        Assert.Equal(
            "(from \"a\")\n(shell \"/bin/bash\" \"-c\")\n(shell \"/bin/sh\")\n(foo \"\")\n(cmd \"['x']\")\n(entrypoint \"[\\\"a\\\" , \\\"b\\\"] x\")\n(stopsignal \"SIGTERM\")\n(onbuild (run [\"--mount=type=cache\"] \"echo\"))\n",
            result.Dump());
        Assert.True(result.Instructions[1].IsJson);
        Assert.False(result.Instructions[4].IsJson);
    }

    [Fact]
    public void Crlf_line_endings_and_a_utf8_bom_parse_like_lf()
    {
        var lf = DockerfileParser.Parse("FROM a\nRUN echo \\\n  b\nENV A=1\n").Dump();
        var crlf = DockerfileParser.Parse("\uFEFFFROM a\r\nRUN echo \\\r\n  b\r\nENV A=1\r\n");
        Assert.Equal(lf, crlf.Dump());
        Assert.Equal([(1, 1), (2, 3), (4, 4)], crlf.Instructions.Select(n => (n.StartLine, n.EndLine)));
    }

    [Fact]
    public void Env_legacy_and_key_value_forms_give_buildkit_triples()
    {
        var result = DockerfileParser.Parse("FROM a\nENV A b c\nENV X=1 Y=\"two words\"\nLABEL k=v\n");
        Assert.Equal("(from \"a\")\n(env \"A\" \"b c\" \"\")\n(env \"X\" \"1\" \"=\" \"Y\" \"\\\"two words\\\"\" \"=\")\n(label \"k\" \"v\" \"=\")\n", result.Dump());
        var ex = Assert.Throws<DockerfileParseException>(() => DockerfileParser.Parse("FROM a\nENV X=1 Y\n"));
        Assert.Contains("can't find = in \"Y\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_continuation_at_end_of_file_ends_the_instruction()
    {
        var result = DockerfileParser.Parse("FROM a\nRUN echo \\");
        Assert.Equal("(from \"a\")\n(run \"echo\")\n", result.Dump());
    }

    [Fact]
    public void Heredoc_operator_may_stand_apart_and_onbuild_triggers_carry_heredocs()
    {
        var result = DockerfileParser.Parse("FROM a\nRUN <<  EOF\nbody\nEOF\nONBUILD RUN <<X\nnested\nX\n");
        Assert.Equal("body\n", Assert.Single(result.Instructions[1].Heredocs!).Content);
        Assert.Equal("nested\n", Assert.Single(result.Instructions[2].Heredocs!).Content);
        Assert.Equal((5, 7), (result.Instructions[2].StartLine, result.Instructions[2].EndLine));

        // After "<<-" the blanks are not absorbed, so "<<- EOF" is no heredoc.
        Assert.Null(DockerfileParser.Parse("FROM a\nRUN cat <<- EOF\n").Instructions[1].Heredocs);
    }

    [Fact]
    public void Columns_do_not_count_a_byte_order_mark()
    {
        var doc = DockerfileDocument.Parse("\uFEFFFROM alpine:3.20\n");
        Assert.Equal(new SourceRange(1, 1, 1, 5), doc.Instructions[0].KeywordRange);
        Assert.Equal(new SourceRange(1, 6, 1, 17), doc.Instructions[0].Args[0].Range);
    }
}
