using System.Text;
using System.Text.RegularExpressions;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.UseCases.Baselines;
using LayerLens.Analyzer.UseCases.Baselines;

namespace LayerLens.Analyzer.Tests.Reports.Deltas;

/// <summary>
/// The pull-request comment embeds rule messages, paths and Dockerfile text, all of them the attacker's: none of it may
/// become a link, an image, a mention, an issue reference or HTML in the rendered comment.
/// </summary>
public sealed partial class DeltaMarkdownInjectionTests
{
    private const string Hostile = "see [x](https://evil) ![i](http://e/p.png) <img src=x onerror=alert(1)> @org/team #12 **b** _i_ ~~s~~ www.evil.com";

    [Fact]
    public void Hostile_messages_and_paths_render_as_plain_text()
    {
        var before = BaselineScenario.Lint("FROM debian:12\nCOPY a /a\n");
        var after = before with
        {
            Findings = [.. before.Findings, new ReviewFinding("LL-3003", "warning", "a`" + Hostile + "`\n> quote", 2, 1, 2, 5, Hostile + "\n> quote", null, null)],
        };
        var policy = RegressionPolicy.Default with { NewFindings = RegressionAction.Fail, NewFindingsSeverity = Severity.Info };
        var report = BaselineComparison.Compare(before, after, policy, new BaselineIdentity("b1", "abc", "main/" + Hostile));

        var markdown = ImageBaselineTests.Write(new DeltaReportSet(report), "markdown");

        Assert.Contains("#### New findings (1)", markdown, StringComparison.Ordinal);
        Assert.Contains(@"LL\-3003", markdown, StringComparison.Ordinal);
        // Inside a code span nothing renders; a backtick in the text must not close the span early.
        var outside = CodeSpan().Replace(markdown, "");
        Assert.DoesNotContain('`', outside);
        Assert.DoesNotMatch(@"(?<!\\)[<&]", outside);
        Assert.DoesNotMatch(@"(?<!\\)[\[\]]", outside);
        Assert.DoesNotMatch(@"(?<!\\)[*_~!]", StripOwnEmphasis(outside));
        // GitHub links mentions, issue numbers and bare URLs in text nodes, after backslash escapes are gone.
        Assert.DoesNotMatch(@"@[A-Za-z0-9]", outside);
        Assert.DoesNotMatch(@"#[0-9]", outside);
        Assert.DoesNotContain("://", outside, StringComparison.Ordinal);
        Assert.DoesNotContain("www.", outside, StringComparison.Ordinal);
        // A newline in a message cannot start a block quote or break the table row.
        Assert.DoesNotMatch(@"(?m)^\s*>", markdown);
    }

    /// <summary>The writer's own emphasis (bold labels and the "…and N more" line) is not the attacker's.</summary>
    private static string StripOwnEmphasis(string text) => OwnEmphasis().Replace(text, "");

    [GeneratedRegex("`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\*\*(No baseline|Grew most:|[a-zA-Z]+)\*\*|^_…and [0-9]+ more\._$", RegexOptions.Multiline)]
    private static partial Regex OwnEmphasis();
}
