using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Tests.Reports.Verdicts;

/// <summary>The <c>regression:</c> section of layerlens.yaml, read strictly, and its JSON form for the project policy API.</summary>
public sealed class RegressionPolicyTests
{
    private const string Full = """
        thresholds:
          maxWastedBytes: 50MB
        regression:
          maxSizeIncreaseBytes: 10MB
          maxSizeIncreasePercent: 5%
          maxWastedIncreaseBytes: 1MiB
          maxEfficiencyDrop: 0.02
          newFindings: fail
          newFindingsSeverity: error
          newWaste: off
          noBaseline: fail
        """;

    [Fact]
    public void Every_rule_is_read_beside_the_absolute_thresholds_of_the_same_file()
    {
        var policy = RegressionPolicy.Default.Apply(Full, "layerlens.yaml");
        var rules = CiRules.DiveDefaults.Apply(Full, "layerlens.yaml");

        Assert.Equal(10_000_000, policy.MaxSizeIncreaseBytes);
        Assert.Equal(5, policy.MaxSizeIncreasePercent);
        Assert.Equal(1 << 20, policy.MaxWastedIncreaseBytes);
        Assert.Equal(0.02, policy.MaxEfficiencyDrop);
        Assert.Equal((RegressionAction.Fail, Severity.Error, RegressionAction.Off, true), (policy.NewFindings, policy.NewFindingsSeverity, policy.NewWaste, policy.FailWithoutBaseline));
        Assert.Equal(50_000_000, rules.MaxWastedBytes);
    }

    [Fact]
    public void Without_a_regression_section_nothing_is_limited_new_items_warn_and_no_baseline_passes()
    {
        var policy = RegressionPolicy.Default.Apply("thresholds:\n  maxWastedBytes: 1MB\n", "layerlens.yaml");

        Assert.Equal(RegressionPolicy.Default, policy);
        Assert.Null(policy.MaxSizeIncreaseBytes);
        Assert.Equal((RegressionAction.Warn, RegressionAction.Warn, false), (policy.NewFindings, policy.NewWaste, policy.FailWithoutBaseline));
    }

    [Theory]
    [InlineData("regression:\n  maxSizeIncrease: 10MB\n", "layerlens.yaml:2: regression.maxSizeIncrease: unknown regression rule")]
    [InlineData("regression:\n  newFindings: block\n", "layerlens.yaml:2: regression.newFindings: 'block' is not fail, warn or off")]
    [InlineData("thresholds:\n  maxWastedBytes: 1MB\nregression:\n  maxEfficiencyDrop: 3\n", "layerlens.yaml:4: regression.maxEfficiencyDrop: '3' is not a ratio")]
    [InlineData("regression:\n  maxSizeIncreaseBytes: lots\n", "layerlens.yaml:2: regression.maxSizeIncreaseBytes: 'lots' is not a size")]
    [InlineData("regression:\n  maxSizeIncreasePercent: -5\n", "layerlens.yaml:2: regression.maxSizeIncreasePercent: '-5' is not a percentage")]
    [InlineData("regression:\n  noBaseline: maybe\n", "layerlens.yaml:2: regression.noBaseline: 'maybe' is not pass or fail")]
    [InlineData("regression:\n  newFindingsSeverity: critical\n", "layerlens.yaml:2: regression.newFindingsSeverity: 'critical' is not a severity")]
    [InlineData("regression:\n  newWaste: [fail]\n", "layerlens.yaml:2: regression.newWaste: expected a single value")]
    [InlineData("regression: fail\n", "layerlens.yaml:1: regression: expected a mapping")]
    [InlineData("regression:\n  newWaste: fail\n bad: indent\n", "layerlens.yaml:3: not valid YAML")]
    public void A_bad_rule_or_value_fails_naming_the_file_line_and_key(string yaml, string expected)
    {
        var error = Assert.Throws<CiConfigException>(() => RegressionPolicy.Default.Apply(yaml, "layerlens.yaml"));

        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_absolute_rules_reader_leaves_the_regression_section_to_the_policy()
    {
        // Before the regression section existed, CiRules refused it as an unknown rule: a CI run with one failed.
        var rules = CiRules.DiveDefaults.Apply("regression:\n  newFindings: fail\n", "layerlens.yaml");

        Assert.Equal(CiRules.DiveDefaults, rules);
    }

    [Fact]
    public void The_json_form_round_trips_and_refuses_a_bad_value_or_a_missing_field()
    {
        var policy = RegressionPolicy.Default.Apply(Full, "layerlens.yaml");

        var json = RegressionPolicyJson.From(policy).Write();

        Assert.Contains("\"newFindings\": \"fail\"", json, StringComparison.Ordinal);
        Assert.Contains("\"noBaseline\": \"fail\"", json, StringComparison.Ordinal);
        Assert.Equal(policy, RegressionPolicyJson.Parse(json).ToPolicy());
        Assert.Contains("newWaste 'sometimes'",
            Assert.Throws<CiConfigException>(() => RegressionPolicyJson.Parse(json.Replace("\"newWaste\": \"off\"", "\"newWaste\": \"sometimes\"", StringComparison.Ordinal)).ToPolicy()).Message,
            StringComparison.Ordinal);
        Assert.Contains("maxEfficiencyDrop",
            Assert.Throws<CiConfigException>(() => RegressionPolicyJson.Parse(json.Replace("0.02", "7", StringComparison.Ordinal)).ToPolicy()).Message, StringComparison.Ordinal);
        Assert.StartsWith("regression policy: not a regression policy",
            Assert.Throws<CiConfigException>(() => RegressionPolicyJson.Parse("{\"maxSizeIncreaseBytes\": 1}")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_reads_an_explicit_file_or_layerlens_yaml_and_names_a_missing_one()
    {
        using var temp = new TempDir();
        Assert.Equal(RegressionPolicy.Default, RegressionPolicy.Load(null, temp.Path));
        File.WriteAllText(temp.File("layerlens.yaml"), "regression:\n  noBaseline: fail\n");

        Assert.True(RegressionPolicy.Load(null, temp.Path).FailWithoutBaseline);
        Assert.EndsWith("nope.yaml: policy file not found", Assert.Throws<CiConfigException>(() => RegressionPolicy.Load(temp.File("nope.yaml"), temp.Path)).Message, StringComparison.Ordinal);
    }
}
