using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Linting.Reports;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.UseCases.DockerfileReviews;

namespace LayerLens.Analyzer.Tests.UseCases.DockerfileReviews;

/// <summary>The review verdict is decided once: the job's row and the report's verdict never disagree.</summary>
public sealed class DockerfileReviewVerdictTests
{
    private static LintReport Lint(Severity? threshold, params Severity[] findings)
    {
        var report = new LintReport { FailureThreshold = threshold };
        report.Files.Add("Dockerfile");
        var line = 1;
        foreach (var severity in findings)
        {
            report.Findings.Add(new Finding("LL-TEST", severity, "Dockerfile", line, 1, line, 2, $"finding {line}", null, null));
            line++;
        }
        return report;
    }

    private static Verdict MaxLintSeverity(bool passed) =>
        new([new RuleResult(DockerfileReviewVerdict.PolicyRule, passed, "warning", "info", passed ? "within" : "worse than info")]);

    [Fact]
    public void Without_a_policy_the_lints_failure_threshold_decides()
    {
        var lint = Lint(Severity.Warning, Severity.Warning, Severity.Info);

        var verdict = DockerfileReviewVerdict.Decide(lint, null);
        var report = DockerfileReviewVerdict.ForReport(lint, null);

        Assert.False(verdict.Passed);
        Assert.Equal(DockerfileReviewVerdict.ThresholdRule, Assert.Single(verdict.Failures).Rule);
        Assert.False(report.Passed);
        Assert.Equal("warning", report.FailureThreshold);
        Assert.Equal(["Dockerfile:1 LL-TEST finding 1"], report.Failures);
    }

    [Fact]
    public void A_policys_max_lint_severity_replaces_the_threshold()
    {
        // The lint alone would fail (a warning at threshold warning); the policy allows it.
        var lint = Lint(Severity.Warning, Severity.Warning);

        Assert.True(DockerfileReviewVerdict.Decide(lint, MaxLintSeverity(passed: true)).Passed);
        Assert.True(DockerfileReviewVerdict.ForReport(lint, MaxLintSeverity(passed: true)).Passed);
        Assert.Empty(DockerfileReviewVerdict.ForReport(lint, MaxLintSeverity(passed: true)).Failures);
    }

    public static TheoryData<Severity?, Severity[], bool?> Cases()
    {
        var data = new TheoryData<Severity?, Severity[], bool?>();
        foreach (var threshold in new Severity?[] { null, Severity.Error, Severity.Warning, Severity.Style })
        {
            foreach (var findings in new[] { Array.Empty<Severity>(), [Severity.Info], [Severity.Error, Severity.Style] })
            {
                foreach (var policy in new bool?[] { null, true, false })
                {
                    data.Add(threshold, findings, policy);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_row_and_the_report_agree(Severity? threshold, Severity[] findings, bool? policyPassed)
    {
        var lint = Lint(threshold, findings);
        var policy = policyPassed is { } p ? MaxLintSeverity(p) : null;

        var verdict = DockerfileReviewVerdict.Decide(lint, policy);
        var report = DockerfileReviewVerdict.ForReport(lint, policy);

        Assert.Equal(verdict.Passed, report.Passed);
        Assert.Equal(verdict.Passed, report.Failures.Count == 0);
    }
}
