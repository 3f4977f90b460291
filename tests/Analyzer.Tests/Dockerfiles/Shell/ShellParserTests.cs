using LayerLens.Analyzer.Dockerfiles.Shell;
using LayerLens.TestInfrastructure.Fuzzing;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Shell;

public class ShellParserTests
{
    [Fact]
    public void Splits_commands_on_operators_and_newlines_keeping_connectors()
    {
        var script = ShellParser.Parse("set -eux; apt-get update && apt-get install -y curl || true\necho done | tee log &");

        Assert.Equal(["set -eux", "apt-get update", "apt-get install -y curl", "true", "echo done", "tee log"], script.Commands.Select(c => c.ToString()));
        Assert.Equal([";", "&&", "||", "\n", "|", "&"], script.Commands.Select(c => c.Connector));
        Assert.True(script.SetsErrexit);
        Assert.False(script.SetsPipefail);
    }

    [Fact]
    public void Quotes_escapes_and_expansions_stay_inside_one_word()
    {
        var cmd = Assert.Single(ShellParser.Parse("echo 'a && b' \"x $HOME ${USER:-me}\" c\\ d $(date +%s) `id -u`").Commands);

        Assert.Equal(["echo", "a && b", "x $HOME ${USER:-me}", "c d", "$(date +%s)", "`id -u`"], cmd.Words.Select(w => w.Value));
        Assert.Equal(["HOME", "USER"], cmd.Words[2].Variables);
        Assert.True(cmd.Words[4].HasCommandSubstitution);
        Assert.Equal("'a && b'", cmd.Words[1].Raw);
    }

    [Fact]
    public void Subshells_groups_and_control_keywords_expose_inner_commands()
    {
        var script = ShellParser.Parse("(cd /src && make) ; if [ -f x ]; then rm -rf /tmp/*; fi; for f in a b; do echo $f; done");

        Assert.Equal(["cd /src", "make", "[ -f x ]", "rm -rf /tmp/*", "echo $f"], script.Commands.Select(c => c.ToString()));
        Assert.Equal(1, script.Commands[0].Depth);
        Assert.Equal(0, script.Commands[2].Depth);
    }

    [Fact]
    public void Assignments_redirections_here_documents_and_here_strings_are_recognised()
    {
        var script = ShellParser.Parse("DEBIAN_FRONTEND=noninteractive apt-get install -y x >/dev/null 2>&1\ncat <<EOF > /etc/conf\nline $X\nEOF\ngrep y <<< \"$Z\"\n");

        var apt = script.Commands[0];
        Assert.Equal("DEBIAN_FRONTEND=noninteractive", Assert.Single(apt.Assignments).Value);
        Assert.Equal("apt-get", apt.Name);
        Assert.Equal([">", ">&"], apt.Redirects.Select(r => r.Operator));
        Assert.Equal(2, apt.Redirects[1].FileDescriptor);

        var cat = script.Commands[1];
        Assert.Equal("line $X\n", cat.Redirects[0].HereDocument);
        Assert.Equal("/etc/conf", cat.Redirects[1].Target!.Value);
        Assert.Equal("grep y", script.Commands[2].ToString());
        Assert.Equal("<<<", script.Commands[2].Redirects[0].Operator);
    }

    [Fact]
    public void Line_continuations_join_words_and_comments_are_skipped()
    {
        var script = ShellParser.Parse("apt-get install \\\n  -y \\\n  git # the vcs\n# whole line\nls");
        Assert.Equal(["apt-get install -y git", "ls"], script.Commands.Select(c => c.ToString()));
    }

    [Fact]
    public void Random_input_never_throws_and_stays_fast()
    {
        var random = new Random(12345);
        const string alphabet = "ab $'\"\\`(){}[]|&;<>#=\n\t-0123EOF";
        for (var n = 0; n < 3000; n++)
        {
            var chars = new char[random.Next(0, 200)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = alphabet[random.Next(alphabet.Length)];
            }
            var text = new string(chars);
            // A hang guard per input, not a speed target: the failure names the input that hung.
            HangGuard.Run(text, () => _ = ToolRecognizer.Recognize(ShellParser.Parse(text)).ToList());
        }
        // Long hostile input: a super-linear parser takes minutes to hours here, a linear one milliseconds.
        var big = string.Concat(Enumerable.Repeat("$(( \"'`${ <<X\n", 20_000));
        HangGuard.Run(big, () => ShellParser.Parse(big));
    }

    [Fact]
    public void Words_flag_expansions_and_unquoted_globs()
    {
        var cmd = Assert.Single(ShellParser.Parse("cp $SRC '$LIT' \"${X}y\" *.txt '*.md' ~/a plain /abs/path").Commands);

        Assert.Equal([false, true, false, true, false, false, false, false, false], cmd.Words.Select(w => w.HasExpansion));
        Assert.Equal([false, false, false, false, true, false, true, false, false], cmd.Words.Select(w => w.HasGlob));
        Assert.False(ShellWord.Literal("$HOME/*").HasExpansion);
        Assert.Equal(["sh", "-c", "a b"], ShellCommand.FromArguments(["sh", "-c", "a b"]).Words.Select(w => w.Value));
    }

    [Fact]
    public void Control_keywords_and_unterminated_quotes_are_reported()
    {
        Assert.Equal(["do", "done", "for"], ShellParser.Parse("for f in a b; do echo $f; done").ControlKeywords.Order(StringComparer.Ordinal));
        Assert.Equal(["fi", "if", "then"], ShellParser.Parse("if true; then rm x; fi").ControlKeywords.Order(StringComparer.Ordinal));
        Assert.Empty(ShellParser.Parse("echo if then; make").ControlKeywords);
        Assert.False(ShellParser.Parse("echo 'a' \"b\" `c` $(d)").Unterminated);
        Assert.True(ShellParser.Parse("echo 'open").Unterminated);
        Assert.True(ShellParser.Parse("echo \"open").Unterminated);
        Assert.True(ShellParser.Parse("echo $(date").Unterminated);
        Assert.True(ShellParser.Parse("echo `date").Unterminated);
    }
}
