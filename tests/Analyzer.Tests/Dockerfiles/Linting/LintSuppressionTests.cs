using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Linting;

public class LintSuppressionTests
{
    private static List<string> RuleIds(string text, LintOptions? options = null) =>
        Linter.Lint(DockerfileDocument.Parse(text), options ?? new LintOptions(), "Dockerfile").Select(f => f.RuleId).ToList();

    [Fact]
    public void Hadolint_ignore_applies_to_the_next_instruction_only()
    {
        var ids = RuleIds("FROM a:1\n# hadolint ignore=DL3008,DL3015\nRUN apt-get install -y curl\nRUN apt-get install -y git\n");
        Assert.Equal(1, ids.Count(i => i == "LL-3008"));
        Assert.Equal(1, ids.Count(i => i == "LL-3015"));
    }

    [Fact]
    public void Hadolint_global_ignore_applies_everywhere()
    {
        var ids = RuleIds("# hadolint global ignore=DL3008\nFROM a:1\nRUN apt-get install -y curl\nRUN apt-get install -y git\n");
        Assert.DoesNotContain("LL-3008", ids);
    }

    [Fact]
    public void Buildkit_check_skip_directive_and_per_instruction_comment_are_honoured()
    {
        Assert.DoesNotContain("LL-5009", RuleIds("# check=skip=LegacyKeyValueFormat\nFROM a:1\nENV A 1\n"));
        Assert.DoesNotContain("LL-5009", RuleIds("# check=skip=all\nFROM a:1\nENV A 1\n"));
        var perInstruction = RuleIds("FROM a:1\n# check=skip=LegacyKeyValueFormat\nENV A 1\nENV B 2\n");
        Assert.Equal(1, perInstruction.Count(i => i == "LL-5009"));
        // skip=all leaves hadolint-only rules alone
        Assert.Contains("LL-3008", RuleIds("# check=skip=all\nFROM a:1\nRUN apt-get install -y curl\n"));
    }

    [Fact]
    public void Check_error_true_makes_buildkit_check_findings_errors()
    {
        var findings = Linter.Lint(DockerfileDocument.Parse("# check=error=true\nFROM a:1\nENV A 1\nRUN apt-get install -y curl\n"), new LintOptions(), "Dockerfile");
        Assert.Equal(Severity.Error, findings.Single(f => f.RuleId == "LL-5009").Severity);
        Assert.Equal(Severity.Warning, findings.Single(f => f.RuleId == "LL-3008").Severity);
    }

    [Fact]
    public void Layerlens_pragma_uses_layerlens_ids()
    {
        Assert.DoesNotContain("LL-1002", RuleIds("FROM a:1\n# layerlens ignore=LL-1002\nRUN apt-get update\n"));
        Assert.DoesNotContain("LL-1002", RuleIds("# layerlens global ignore=LL-1002\nFROM a:1\nRUN apt-get update\n"));
    }

    [Fact]
    public void Hadolint_yaml_ignores_overrides_threshold_and_trusted_registries()
    {
        var options = LintConfigLoader.Parse("ignored:\n  - DL3008\noverride:\n  error:\n    - DL3015\n  style: [LL-3059]\nfailure-threshold: error\ntrustedRegistries:\n  - docker.io\n");
        var findings = Linter.Lint(DockerfileDocument.Parse("FROM quay.io/x/y:1\nRUN apt-get install -y curl\nRUN true\n"), options, "Dockerfile");

        Assert.DoesNotContain(findings, f => f.RuleId == "LL-3008");
        Assert.Equal(Severity.Error, findings.Single(f => f.RuleId == "LL-3015").Severity);
        Assert.Equal(Severity.Style, findings.Single(f => f.RuleId == "LL-3059").Severity);
        Assert.Contains(findings, f => f.HadolintId == "DL3026");
        Assert.Equal(Severity.Error, options.FailureThreshold);
        Assert.True(Linter.Fails(findings, options));
        options.FailureThreshold = null;
        Assert.False(Linter.Fails(findings, options));
    }

    [Fact]
    public void Bad_config_is_a_format_error_naming_the_problem()
    {
        Assert.Throws<FormatException>(() => LintConfigLoader.Parse("failure-threshold: loud\n"));
        Assert.Throws<FormatException>(() => LintConfigLoader.Parse("ignored: [DL3008\n"));
    }

    [Fact]
    public void Override_of_an_unknown_rule_id_names_file_line_and_id()
    {
        var ex = Assert.Throws<FormatException>(() => LintConfigLoader.Parse("ignored: [DL3008]\noverride:\n  error:\n    - DL3015\n    - DL9999\n", "ci/.hadolint.yaml"));

        Assert.Equal("ci/.hadolint.yaml:5: override.error: unknown lint rule 'DL9999' (use a LayerLens, hadolint or BuildKit rule id)", ex.Message);
        // Known ids in each naming scheme stay accepted.
        var options = LintConfigLoader.Parse("override:\n  style: [LL-3059, DL3015, JSONArgsRecommended]\n");
        Assert.Equal(3, options.Overrides.Count);
    }
}
