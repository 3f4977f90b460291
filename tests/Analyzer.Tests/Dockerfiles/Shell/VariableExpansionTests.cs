using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Shell;

public class VariableExpansionTests
{
    private static readonly Dictionary<string, string> Env = new() { ["SET"] = "v", ["EMPTY"] = "" };

    private static string Expand(string word, char escape = '\\') =>
        new VariableExpander(n => Env.TryGetValue(n, out var v) ? v : null, escape).ProcessWord(word);

    [Theory]
    [InlineData("$SET", "v")]
    [InlineData("${SET}x", "vx")]
    [InlineData("$UNSET-", "-")]
    [InlineData("${UNSET:-def}", "def")]
    [InlineData("${EMPTY:-def}", "def")]
    [InlineData("${EMPTY-def}", "")]
    [InlineData("${UNSET-def}", "def")]
    [InlineData("${SET:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET+alt}", "")]
    [InlineData("'$SET'", "$SET")]
    [InlineData("\"$SET \\$SET\"", "v $SET")]
    [InlineData("\\$SET", "$SET")]
    [InlineData("a\\ b", "a b")]
    [InlineData("$", "$")]
    [InlineData("${UNSET:-${SET}}", "v")]
    public void Expands_like_buildkit(string word, string expected)
    {
        Assert.Equal(expected, Expand(word));
    }

    [Fact]
    public void Backtick_escape_escapes_and_backslash_is_literal()
    {
        Assert.Equal("C:\\v$SET", Expand("C:\\$SET`$SET", '`'));
    }

    [Fact]
    public void Unset_with_question_mark_is_an_error_and_unmatched_names_are_reported()
    {
        Assert.Throws<FormatException>(() => Expand("${UNSET:?must be set}"));
        var expander = new VariableExpander(n => Env.TryGetValue(n, out var v) ? v : null);
        expander.ProcessWord("$SET ${NOPE} ${ALSO:-x}");
        Assert.Equal(["NOPE", "ALSO"], expander.Unmatched);
    }

    [Fact]
    public void Scope_follows_stages_global_args_and_env()
    {
        var doc = DockerfileDocument.Parse("ARG BASE=alpine\nARG V=1\nFROM $BASE AS one\nARG V\nENV HOME_DIR=/home/$V\nRUN x\nFROM one\nRUN y\nFROM alpine\nRUN z\n");
        var seen = new Dictionary<int, Dictionary<string, string>>();
        VariableScope.Walk(doc, (i, scope) => seen[i.StartLine] = new Dictionary<string, string>(scope));

        Assert.Equal("alpine", seen[3]["BASE"]);
        Assert.Equal("1", seen[6]["V"]);
        Assert.Equal("/home/1", seen[6]["HOME_DIR"]);
        Assert.Equal("/home/1", seen[8]["HOME_DIR"]);
        Assert.False(seen[8].ContainsKey("V"));
        Assert.False(seen[10].ContainsKey("HOME_DIR"));
        Assert.False(seen[6].ContainsKey("BASE"));
    }
}
