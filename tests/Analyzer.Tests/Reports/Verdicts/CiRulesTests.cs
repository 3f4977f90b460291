using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Tests.Reports.Verdicts;

public class CiRulesTests
{
    [Theory]
    [InlineData("20MB", 20_000_000L)]
    [InlineData("20 mb", 20_000_000L)]
    [InlineData("20MiB", 20_971_520L)]
    [InlineData("1.5GB", 1_500_000_000L)]
    [InlineData("512", 512L)]
    [InlineData("3kB", 3_000L)]
    [InlineData("2KiB", 2_048L)]
    public void Sizes_are_read_as_dive_reads_them(string text, long bytes)
    {
        Assert.True(ByteSize.TryParse(text, out var parsed));
        Assert.Equal(bytes, parsed);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("-5MB")]
    [InlineData("")]
    public void Nonsense_sizes_are_rejected(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void Dive_ci_and_layerlens_yaml_override_only_what_they_name()
    {
        var rules = CiRules.DiveDefaults
            .Apply("rules:\n  highestWastedBytes: 20MB\n  lowestEfficiency: off\n", ".dive-ci")
            .Apply("thresholds:\n  maxDuplicateBytes: 1MiB\n", "layerlens.yaml");

        Assert.Null(rules.LowestEfficiency);
        Assert.Equal(20_000_000, rules.HighestWastedBytes);
        Assert.Equal(0.1, rules.HighestUserWastedPercent);
        Assert.Equal(1_048_576, rules.MaxDuplicateBytes);
    }

    [Theory]
    [InlineData("rules:\n  lowestEfficiency: 2\n", "lowestEfficiency")]
    [InlineData("rules:\n  highestWastedBytes: plenty\n", "highestWastedBytes")]
    [InlineData("rules:\n  unknownRule: 1\n", "unknownRule")]
    [InlineData("rules: [\n", "YAML")]
    public void Bad_rules_name_the_file_and_the_rule(string yaml, string expected)
    {
        var ex = Assert.Throws<CiConfigException>(() => CiRules.DiveDefaults.Apply(yaml, ".dive-ci"));
        Assert.Contains(".dive-ci", ex.Message);
        Assert.Contains(expected, ex.Message);
    }
    [Fact]
    public void A_layerlens_yaml_with_a_hadolint_override_section_keeps_the_dive_defaults_and_is_accepted()
    {
        const string yaml = "override:\n  error: [DL3008]\n  warning:\n    - DL3007\nignored: [DL3006]\nfailure-threshold: warning\nthresholds:\n  maxDuplicateBytes: 1MiB\n";

        var rules = CiRules.DiveDefaults.Apply(yaml, "layerlens.yaml");

        Assert.Equal(CiRules.DiveDefaults with { MaxDuplicateBytes = 1_048_576 }, rules);
    }

    [Fact]
    public void An_override_naming_a_rule_the_linter_does_not_know_names_the_file_the_key_and_the_id()
    {
        var ex = Assert.Throws<CiConfigException>(() =>
            CiRules.DiveDefaults.Apply("override:\n  error: [DL3008, DL9999]\n", "ci/layerlens.yaml"));

        Assert.Contains("ci/layerlens.yaml", ex.Message);
        Assert.Contains("override.error", ex.Message);
        Assert.Contains("DL9999", ex.Message);
        Assert.DoesNotContain("DL3008", ex.Message);
    }
}
