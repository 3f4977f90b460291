using System.Globalization;
using LayerLens.Analyzer.Dockerfiles.Linting;
using YamlDotNet.RepresentationModel;

namespace LayerLens.Analyzer.Reports.Verdicts;

/// <summary>What a regression rule does when it is broken: nothing, a warning in the report, or a failed verdict.</summary>
public enum RegressionAction
{
    Off,
    Warn,
    Fail,
}

/// <summary>
/// The regression policy: limits on what a change may add compared with its baseline, read from the
/// <c>regression:</c> section of <c>layerlens.yaml</c> (beside the absolute <c>rules</c>/<c>thresholds</c> of
/// <see cref="CiRules"/>) or from a project's stored policy. A null limit is a disabled rule.
/// </summary>
public sealed record RegressionPolicy
{
    public const string Section = "regression";

    public long? MaxSizeIncreaseBytes { get; init; }

    /// <summary>Percent of the baseline's size: 5 is 5 %.</summary>
    public double? MaxSizeIncreasePercent { get; init; }

    public long? MaxWastedIncreaseBytes { get; init; }

    /// <summary>How far efficiency may fall, as a ratio: 0.02 is two percentage points.</summary>
    public double? MaxEfficiencyDrop { get; init; }

    /// <summary>What a Dockerfile finding the baseline did not have does, at or above <see cref="NewFindingsSeverity"/>.</summary>
    public RegressionAction NewFindings { get; init; } = RegressionAction.Warn;

    public Severity NewFindingsSeverity { get; init; } = Severity.Warning;

    /// <summary>What a waste item (path and kind) the baseline did not have does.</summary>
    public RegressionAction NewWaste { get; init; } = RegressionAction.Warn;

    /// <summary>True: a change with no baseline to compare with fails; false (default): it passes, saying so.</summary>
    public bool FailWithoutBaseline { get; init; }

    /// <summary>No limits; new findings and new waste warn; no baseline passes.</summary>
    public static RegressionPolicy Default { get; } = new();

    /// <summary>Reads <paramref name="explicitFile"/>, else <c>layerlens.yaml</c>/<c>layerlens.yml</c> in <paramref name="directory"/>; defaults without either.</summary>
    public static RegressionPolicy Load(string? explicitFile, string directory)
    {
        if (explicitFile is not null)
        {
            return File.Exists(explicitFile)
                ? Default.Apply(File.ReadAllText(explicitFile), explicitFile)
                : throw new CiConfigException($"{explicitFile}: policy file not found");
        }
        foreach (var name in new[] { "layerlens.yaml", "layerlens.yml" })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return Default.Apply(File.ReadAllText(path), path);
            }
        }
        return Default;
    }

    /// <summary>
    /// Overrides this policy with the <c>regression:</c> section of a YAML document; other sections are
    /// <see cref="CiRules"/>' and the linter's. Unknown keys and bad values fail with the file and line.
    /// </summary>
    public RegressionPolicy Apply(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new CiConfigException($"{file}:{ex.Start.Line}: not valid YAML ({ex.Message})", ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return this;
        }
        var result = this;
        foreach (var (sectionNode, node) in root.Children)
        {
            if ((sectionNode as YamlScalarNode)?.Value != Section)
            {
                continue;
            }
            if (node is YamlScalarNode { Value: null or "" })
            {
                continue;
            }
            if (node is not YamlMappingNode map)
            {
                throw new CiConfigException($"{file}:{node.Start.Line}: {Section}: expected a mapping of rules (maxSizeIncreaseBytes: 10MB, newFindings: fail, …)");
            }
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                var where = $"{file}:{keyNode.Start.Line}: {Section}.{key}";
                if (valueNode is not YamlScalarNode scalar)
                {
                    throw new CiConfigException($"{where}: expected a single value");
                }
                var value = scalar.Value?.Trim() ?? "";
                result = key switch
                {
                    "maxSizeIncreaseBytes" => result with { MaxSizeIncreaseBytes = Size(value, where) },
                    "maxSizeIncreasePercent" => result with { MaxSizeIncreasePercent = Percent(value, where) },
                    "maxWastedIncreaseBytes" => result with { MaxWastedIncreaseBytes = Size(value, where) },
                    "maxEfficiencyDrop" => result with { MaxEfficiencyDrop = Ratio(value, where) },
                    "newFindings" => result with { NewFindings = Action(value, where) },
                    "newFindingsSeverity" => result with { NewFindingsSeverity = LintSeverity(value, where) },
                    "newWaste" => result with { NewWaste = Action(value, where) },
                    "noBaseline" => result with { FailWithoutBaseline = NoBaseline(value, where) },
                    _ => throw new CiConfigException($"{where}: unknown regression rule (use maxSizeIncreaseBytes, maxSizeIncreasePercent, maxWastedIncreaseBytes, maxEfficiencyDrop, newFindings, newFindingsSeverity, newWaste or noBaseline)"),
                };
            }
        }
        return result;
    }

    private static bool IsDisabled(string value) =>
        value.Equals("disabled", StringComparison.OrdinalIgnoreCase) || value.Equals("off", StringComparison.OrdinalIgnoreCase);

    private static long? Size(string value, string where) =>
        IsDisabled(value) ? null
        : ByteSize.TryParse(value, out var bytes) ? bytes
        : throw new CiConfigException($"{where}: '{value}' is not a size such as 20MB (or off)");

    private static double? Percent(string value, string where)
    {
        if (IsDisabled(value))
        {
            return null;
        }
        var number = value.EndsWith('%') ? value[..^1].Trim() : value;
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && percent >= 0 && double.IsFinite(percent)
            ? percent
            : throw new CiConfigException($"{where}: '{value}' is not a percentage such as 5 or 5% (or off)");
    }

    private static double? Ratio(string value, string where)
    {
        if (IsDisabled(value))
        {
            return null;
        }
        if (value.EndsWith('%') && double.TryParse(value[..^1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var points) && points is >= 0 and <= 100)
        {
            return points / 100;
        }
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1
            ? ratio
            : throw new CiConfigException($"{where}: '{value}' is not a ratio between 0 and 1 or a percentage such as 2% (or off)");
    }

    private static RegressionAction Action(string value, string where) => value.ToLowerInvariant() switch
    {
        "fail" => RegressionAction.Fail,
        "warn" => RegressionAction.Warn,
        "off" or "disabled" => RegressionAction.Off,
        _ => throw new CiConfigException($"{where}: '{value}' is not fail, warn or off"),
    };

    private static Severity LintSeverity(string value, string where) =>
        SeverityNames.TryParse(value, out var severity) ? severity
        : throw new CiConfigException($"{where}: '{value}' is not a severity (error, warning, info, style)");

    private static bool NoBaseline(string value, string where) => value.ToLowerInvariant() switch
    {
        "fail" => true,
        "pass" => false,
        _ => throw new CiConfigException($"{where}: '{value}' is not pass or fail"),
    };
}
