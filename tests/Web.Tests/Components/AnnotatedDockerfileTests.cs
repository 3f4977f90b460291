using LayerLens.Analyzer.Reports.Schema;
using Bunit;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Web.Components.Review;
using LayerLens.Web.Reviews;

namespace LayerLens.Web.Tests.Components;

public sealed class AnnotatedDockerfileTests : MudComponentTest
{
    [Fact]
    public void A_finding_sits_under_its_line_and_its_rule_documentation_opens_in_one_click()
    {
        var rule = RuleCatalog.All[0];
        var text = "FROM node:22\nWORKDIR /app\nCOPY . .\n";
        var finding = new ReviewFinding(rule.Id, "warning", "Dockerfile", 3, 1, 3, 2, "the message", rule.HadolintId, rule.BuildkitCheck);

        var view = Context.Render<AnnotatedDockerfile>(p => p.Add(c => c.Text, text).Add(c => c.Findings, [finding]));

        var lines = view.FindAll("[data-testid=dockerfile-line]");
        Assert.Equal(3, lines.Count);
        Assert.Contains("ll-line-warning", lines[2].ClassName, StringComparison.Ordinal);
        Assert.DoesNotContain("ll-line-warning", lines[1].ClassName, StringComparison.Ordinal);
        var shown = view.Find("[data-testid=finding]");
        Assert.Equal("3", shown.GetAttribute("data-line"));
        // Directly under line 3.
        Assert.Equal("3", shown.PreviousElementSibling?.GetAttribute("data-line"));
        Assert.Empty(view.FindAll("[data-testid=rule-doc]"));

        view.Find("[data-testid=finding-docs]").Click();

        var doc = view.Find("[data-testid=rule-doc]").TextContent;
        Assert.Contains(rule.Why, doc, StringComparison.Ordinal);
        Assert.Contains(rule.Fix, doc, StringComparison.Ordinal);
        Assert.Contains(rule.After.Split('\n')[0], doc, StringComparison.Ordinal);
    }
}
