using System.Text.Json;
using LayerLens.Analyzer.BuildContexts;
using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Reports.Schema;
using LayerLens.Analyzer.Reports.Verdicts;
using LayerLens.Analyzer.Tests.Reports;
using LayerLens.Analyzer.UseCases.Baselines;
using LayerLens.Analyzer.UseCases.DockerfileReviews;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.UseCases.Baselines;

/// <summary>Findings matched across versions of a Dockerfile by rule and a fingerprint that does not depend on line numbers.</summary>
public sealed class FindingBaselineTests
{
    [Fact]
    public void The_scenarios_dockerfile_has_42_findings_and_its_pull_request_one_more_warning()
    {
        Assert.Equal(42, BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile).Findings.Count);
        var pr = BaselineScenario.Lint(BaselineScenarioImages.PullRequestDockerfile).Findings;
        Assert.Equal(43, pr.Count);
        Assert.Single(pr, f => f.RuleId == "LL-3003");
    }

    [Fact]
    public void Sarif_marks_exactly_the_one_new_warning_new_and_every_other_finding_unchanged_though_every_line_moved()
    {
        var report = BaselineComparison.Compare(
            BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile), BaselineScenario.Lint(BaselineScenarioImages.PullRequestDockerfile), BaselineScenario.RegressionPolicy());

        var results = Results(report);

        Assert.Equal(43, results.Count);
        var fresh = Assert.Single(results, r => r.GetProperty("baselineState").GetString() == "new");
        Assert.Equal("LL-3003", fresh.GetProperty("ruleId").GetString());
        Assert.Equal(42, results.Count(r => r.GetProperty("baselineState").GetString() == "unchanged"));
        Assert.All(results, r => Assert.Matches("^[0-9a-f]{32}$", r.GetProperty("partialFingerprints").GetProperty("layerlens/v1").GetString()!));
        Assert.Equal(43, results.Select(r => r.GetProperty("partialFingerprints").GetProperty("layerlens/v1").GetString()).Distinct().Count());
    }

    [Fact]
    public void The_verdict_fails_on_the_new_warning_alone_and_only_warns_when_the_policy_says_warn()
    {
        var before = BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile);
        var after = BaselineScenario.Lint(BaselineScenarioImages.PullRequestDockerfile);

        var failing = BaselineComparison.Compare(before, after, BaselineScenario.RegressionPolicy()).Baseline.Verdict;
        var warning = BaselineComparison.Compare(before, after, BaselineScenario.RegressionPolicy() with { NewFindings = RegressionAction.Warn }).Baseline.Verdict;
        var errorsOnly = BaselineComparison.Compare(before, after, BaselineScenario.RegressionPolicy() with { NewFindingsSeverity = Severity.Error }).Baseline.Verdict;

        var rule = Assert.Single(failing.Rules);
        Assert.Equal(("newFindings", RegressionOutcome.Failed), (rule.Rule, rule.Outcome));
        Assert.Contains("1 new finding(s) at warning or worse", rule.Message, StringComparison.Ordinal);
        Assert.Contains("LL-3003", rule.Message, StringComparison.Ordinal);
        Assert.Equal(("21 at warning+", "22 at warning+"), (rule.Before, rule.After));
        Assert.True(warning.Passed);
        Assert.Equal(RegressionOutcome.Warned, Assert.Single(warning.Warnings).Outcome);
        Assert.True(errorsOnly.Passed);
        Assert.Empty(errorsOnly.Warnings);
    }

    [Fact]
    public async Task Stored_review_reports_compare_as_the_service_reads_them_back()
    {
        // The service keeps each review's JSON (schema v1) and compares those, never re-running the review.
        var main = ReportJson.ParseReview(await ReviewJsonAsync(BaselineScenarioImages.MainDockerfile));
        var pr = ReportJson.ParseReview(await ReviewJsonAsync(BaselineScenarioImages.PullRequestDockerfile));

        var report = BaselineComparison.Compare(main, pr, BaselineScenario.RegressionPolicy(), new BaselineIdentity("r1", "abc1234", "main"));

        Assert.Equal(DeltaReport.DockerfileKind, report.Kind);
        var findings = report.Baseline.Findings!;
        Assert.Equal((1, 42, 0, 0), (findings.New, findings.Unchanged, findings.Updated, findings.Absent));
        Assert.False(report.Baseline.Verdict.Passed);
    }

    private static async Task<string> ReviewJsonAsync(string text)
    {
        var document = DockerfileDocument.Parse(text, "Dockerfile");
        var review = await DockerfileReview.RunAsync(new DockerfileReviewInput("Dockerfile", document, BuildContext.Unknown), null, CancellationToken.None);
        using var buffer = new MemoryStream();
        new DockerfileReviewReport(review).Write("json", buffer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public void Moving_lines_keeps_every_old_finding_unchanged()
    {
        var delta = BaselineComparison.Compare(
            BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile), BaselineScenario.Lint(BaselineScenarioImages.MovedDockerfile), BaselineScenario.RegressionPolicy()).Baseline.Findings!;

        Assert.Equal((0, 42, 0, 0), (delta.New, delta.Unchanged, delta.Updated, delta.Absent));
        // The lines really moved: the same finding is on another line now.
        Assert.Contains(delta.Findings, f => f.Finding.RuleId == "LL-3004" && f.Finding.Line == 20);
        Assert.Contains(BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile).Findings, f => f.RuleId == "LL-3004" && f.Line == 15);
    }

    [Fact]
    public void A_removed_step_makes_its_findings_absent_and_whitespace_inside_an_instruction_changes_nothing()
    {
        var edited = BaselineScenarioImages.MainDockerfile
            .Replace("RUN npm install express\n", "", StringComparison.Ordinal)
            .Replace("RUN pip install flask\n", "RUN   pip install \\\n    flask\n", StringComparison.Ordinal);

        var delta = BaselineComparison.Compare(BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile), BaselineScenario.Lint(edited), RegressionPolicy.Default).Baseline.Findings!;

        var absent = delta.Findings.Where(f => f.State == BaselineState.Absent).Select(f => f.Finding.RuleId).Order().ToList();
        Assert.Equal(["LL-1003", "LL-3016", "LL-3059"], absent);
        Assert.Equal(0, delta.New);
        Assert.Equal(39, delta.Unchanged);
    }

    [Fact]
    public void A_finding_whose_severity_changed_is_updated_with_the_baselines_finding_beside_it()
    {
        var before = BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile);
        var after = before with { Findings = [.. before.Findings.Select(f => f.RuleId == "LL-3025" ? f with { Severity = "error" } : f)] };

        var delta = BaselineComparison.Compare(before, after, RegressionPolicy.Default).Baseline.Findings!;

        var updated = Assert.Single(delta.Findings, f => f.State == BaselineState.Updated);
        Assert.Equal(("error", "warning"), (updated.Finding.Severity, updated.Before!.Severity));
        Assert.Equal(41, delta.Unchanged);
    }

    [Fact]
    public void A_new_instruction_elsewhere_does_not_inherit_a_fixed_findings_identity()
    {
        // The change fixes the apt lists of line 2 and adds a new install on line 4: the LL-3009 on line 4 is new,
        // though a baseline LL-3009 of the same message is left over (it belonged to another instruction).
        const string before = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCOPY a /a\n";
        var after = before.Replace("install -y curl\n", "install -y curl && rm -rf /var/lib/apt/lists/*\n", StringComparison.Ordinal)
            + "RUN apt-get update && apt-get install -y wget\n";
        var policy = RegressionPolicy.Default with { NewFindings = RegressionAction.Fail, NewFindingsSeverity = Severity.Info };

        var report = BaselineComparison.Compare(BaselineScenario.Lint(before), BaselineScenario.Lint(after), policy);

        var delta = report.Baseline.Findings!;
        var added = delta.Findings.Where(f => f.State != BaselineState.Absent && f.Finding.Line == 4).ToList();
        Assert.Contains(added, f => f.Finding.RuleId == "LL-3009");
        Assert.All(added, f => Assert.Equal(BaselineState.New, f.State));
        Assert.Contains(delta.Findings, f => f.State == BaselineState.Absent && f.Finding.RuleId == "LL-3009" && f.Finding.Line == 2);
        // The edited instruction's surviving findings still pair with their baseline (edited in place, between FROM and COPY).
        Assert.DoesNotContain(delta.Findings, f => f.State == BaselineState.New && f.Finding.Line == 2);
        var rule = Assert.Single(report.Baseline.Verdict.Rules);
        Assert.Equal(RegressionOutcome.Failed, rule.Outcome);
        Assert.Contains("LL-3009", rule.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_finding_whose_severity_rose_to_the_threshold_counts_as_new_at_that_severity()
    {
        var before = BaselineScenario.Lint(BaselineScenarioImages.MainDockerfile);
        var after = before with { Findings = [.. before.Findings.Select(f => f.RuleId == "LL-3025" ? f with { Severity = "error" } : f)] };
        Assert.NotEqual("error", Assert.Single(before.Findings, f => f.RuleId == "LL-3025").Severity);
        var policy = RegressionPolicy.Default with { NewFindings = RegressionAction.Fail, NewFindingsSeverity = Severity.Error };

        var report = BaselineComparison.Compare(before, after, policy);

        Assert.Equal(1, report.Baseline.Findings!.Updated);
        var rule = Assert.Single(report.Baseline.Verdict.Rules);
        Assert.Equal(RegressionOutcome.Failed, rule.Outcome);
        Assert.Contains("1 new finding(s) at error or worse", rule.Message, StringComparison.Ordinal);
        Assert.Contains("LL-3025", rule.Message, StringComparison.Ordinal);
        // Unchanged at error (the baseline had it at error already): nothing new.
        Assert.True(BaselineComparison.Compare(after, after, policy).Baseline.Verdict.Passed);
    }

    [Fact]
    public void Bumping_an_unnamed_stages_base_image_tag_keeps_every_finding_and_fingerprint()
    {
        const string before = "FROM debian:12\nRUN apt-get update && apt-get install -y curl\nFROM debian:12\nRUN apt-get install -y wget\n";
        var after = before.Replace("FROM debian:12\n", "FROM debian:12.5@sha256:" + new string('a', 64) + "\n", StringComparison.Ordinal);

        var report = BaselineComparison.Compare(BaselineScenario.Lint(before), BaselineScenario.Lint(after), RegressionPolicy.Default);

        var delta = report.Baseline.Findings!;
        // The FROM lines themselves changed (their own findings may differ); every RUN's findings are the same.
        var runs = delta.Findings.Where(f => f.Finding.Line is 2 or 4).ToList();
        Assert.True(runs.Count > 2);
        Assert.All(runs, f => Assert.Equal(BaselineState.Unchanged, f.State));
        var locations = (ReviewedDockerfile d) => d.Findings.Where(f => f.Line is 2 or 4).Select(f => new FindingLocation(f.RuleId, f.Line, f.Column)).ToList();
        var beforePrints = FindingFingerprints.Compute(before, locations(BaselineScenario.Lint(before)));
        var afterPrints = FindingFingerprints.Compute(after, locations(BaselineScenario.Lint(after)));
        Assert.Equal(beforePrints, afterPrints);
        // Two unnamed stages of the same repository still keep apart.
        Assert.Equal(beforePrints.Count, beforePrints.Distinct().Count());
    }

    [Fact]
    public void Two_identical_instructions_keep_distinct_fingerprints_and_swapping_stages_lines_does_not_change_them()
    {
        const string text = "FROM ubuntu AS build\nRUN apt-get install curl\nRUN apt-get install curl\nFROM ubuntu\nRUN apt-get install curl\n";
        var locations = new[] { new FindingLocation("LL-3008", 2, 1), new FindingLocation("LL-3008", 3, 1), new FindingLocation("LL-3008", 5, 1) };

        var prints = FindingFingerprints.Compute(text, locations);
        var shifted = FindingFingerprints.Compute("# moved\n\n" + text, [.. locations.Select(l => l with { Line = l.Line + 2 })]);

        Assert.Equal(3, prints.Distinct().Count());
        Assert.Equal(prints, shifted);
    }

    [Fact]
    public void An_unparsable_dockerfile_still_gets_line_independent_fingerprints()
    {
        // A hostile or broken file must not crash the comparison: the line's own text anchors the finding.
        const string broken = "FROM ubuntu\nRUN <<EOF\nunterminated heredoc\n";
        var prints = FindingFingerprints.Compute(broken, [new FindingLocation("LL-X", 3, 1), new FindingLocation("LL-X", 99, 1)]);
        var moved = FindingFingerprints.Compute("\n" + broken, [new FindingLocation("LL-X", 4, 1), new FindingLocation("LL-X", 99, 1)]);

        Assert.Equal(prints, moved);
    }

    private static List<JsonElement> Results(DeltaReport report)
    {
        var sarif = ImageBaselineTests.Write(new DeltaReportSet(report), "sarif");
        SarifSchema.AssertValid(sarif);
        return JsonDocument.Parse(sarif).RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToList();
    }
}
