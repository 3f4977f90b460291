using System.Globalization;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Dockerfiles.Linting;
using YamlDotNet.RepresentationModel;

namespace LayerLens.Analyzer.Reports.Verdicts;

/// <summary>
/// CI thresholds: dive's <c>.dive-ci</c> rules (<c>lowestEfficiency</c>, <c>highestWastedBytes</c>,
/// <c>highestUserWastedPercent</c>; <c>disabled</c>/<c>off</c>) applied to LayerLens's exact metrics,
/// and LayerLens's <c>layerlens.yaml</c> thresholds (<c>maxWastedBytes</c>, <c>minEfficiency</c>,
/// <c>maxDuplicateBytes</c>). A null threshold is a disabled rule.
/// </summary>
public sealed record CiRules
{
    public double? LowestEfficiency { get; init; } = 0.9;
    public long? HighestWastedBytes { get; init; }
    public double? HighestUserWastedPercent { get; init; } = 0.1;
    public long? MaxWastedBytes { get; init; }
    public double? MinEfficiency { get; init; }
    public long? MaxDuplicateBytes { get; init; }

    /// <summary>The worst lint severity allowed (<c>thresholds.maxLintSeverity</c>); a worse finding fails. Applies to Dockerfile reviews.</summary>
    public Severity? MaxLintSeverity { get; init; }

    /// <summary>dive's defaults, used when no configuration file is found.</summary>
    public static CiRules DiveDefaults { get; } = new();

    /// <summary>Reads <paramref name="explicitFile"/>, else <c>.dive-ci</c> and <c>layerlens.yaml</c> in <paramref name="directory"/>.</summary>
    public static CiRules Load(string? explicitFile, string directory)
    {
        var rules = DiveDefaults;
        if (explicitFile is not null)
        {
            if (!File.Exists(explicitFile))
            {
                throw new CiConfigException($"{explicitFile}: CI configuration file not found");
            }
            return rules.Apply(File.ReadAllText(explicitFile), explicitFile);
        }
        foreach (var name in new[] { ".dive-ci", "layerlens.yaml", "layerlens.yml" })
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                rules = rules.Apply(File.ReadAllText(path), path);
            }
        }
        return rules;
    }

    /// <summary>Overrides these rules with those a YAML document sets (either file shape).</summary>
    public CiRules Apply(string yaml, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new CiConfigException($"{file}: not valid YAML ({ex.Message})", ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return this;
        }
        var result = this;
        foreach (var (section, node) in root.Children)
        {
            var sectionName = (section as YamlScalarNode)?.Value ?? "";
            if (LintConfigLoader.Sections.Contains(sectionName))
            {
                // The linter's part of a shared layerlens.yaml (hadolint's shape): not a CI threshold, but its
                // rule ids are checked here too, so a typo fails the CI run instead of being silently ignored.
                CheckLintOverrides(sectionName, node, file);
                continue;
            }
            if (sectionName == RegressionPolicy.Section)
            {
                // The regression limits of the same file: RegressionPolicy reads and checks them.
                continue;
            }
            if (node is not YamlMappingNode map)
            {
                continue;
            }
            foreach (var (keyNode, valueNode) in map.Children)
            {
                var key = (keyNode as YamlScalarNode)?.Value ?? "";
                var value = (valueNode as YamlScalarNode)?.Value?.Trim() ?? "";
                var where = $"{file}: {sectionName}.{key}";
                result = (sectionName, key) switch
                {
                    ("rules", "lowestEfficiency") => result with { LowestEfficiency = Ratio(value, where) },
                    ("rules", "highestWastedBytes") => result with { HighestWastedBytes = Size(value, where) },
                    ("rules", "highestUserWastedPercent") => result with { HighestUserWastedPercent = Ratio(value, where) },
                    ("thresholds", "maxWastedBytes") => result with { MaxWastedBytes = Size(value, where) },
                    ("thresholds", "minEfficiency") => result with { MinEfficiency = Ratio(value, where) },
                    ("thresholds", "maxDuplicateBytes") => result with { MaxDuplicateBytes = Size(value, where) },
                    ("thresholds", "maxLintSeverity") => result with { MaxLintSeverity = LintSeverity(value, where) },
                    _ => throw new CiConfigException($"{where}: unknown rule"),
                };
            }
        }
        return result;
    }

    private static void CheckLintOverrides(string sectionName, YamlNode node, string file)
    {
        if (sectionName != "override" || node is not YamlMappingNode levels)
        {
            return;
        }
        foreach (var (levelNode, ids) in levels.Children)
        {
            var level = (levelNode as YamlScalarNode)?.Value ?? "";
            if (!SeverityNames.TryParse(level, out _))
            {
                throw new CiConfigException($"{file}: override.{level}: not a severity (error, warning, info, style)");
            }
            var unknown = LintConfigLoader.Strings(ids).Where(id => RuleCatalog.Find(id) is null).ToList();
            if (unknown.Count > 0)
            {
                throw new CiConfigException($"{file}: override.{level}: unknown lint rule {string.Join(", ", unknown.Select(id => $"'{id}'"))} (use a LayerLens, hadolint or BuildKit rule id)");
            }
        }
    }

    private static bool IsDisabled(string value) =>
        value.Equals("disabled", StringComparison.OrdinalIgnoreCase) || value.Equals("off", StringComparison.OrdinalIgnoreCase);

    private static double? Ratio(string value, string where)
    {
        if (IsDisabled(value))
        {
            return null;
        }
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) || ratio is < 0 or > 1)
        {
            throw new CiConfigException($"{where}: '{value}' is not a ratio between 0 and 1 (or disabled/off)");
        }
        return ratio;
    }

    private static Severity? LintSeverity(string value, string where)
    {
        if (IsDisabled(value))
        {
            return null;
        }
        return SeverityNames.TryParse(value, out var severity) ? severity
            : throw new CiConfigException($"{where}: '{value}' is not a severity (error, warning, info, style; or disabled/off)");
    }

    /// <summary>The lint rule over a review's findings: passes when no finding is worse than <see cref="MaxLintSeverity"/>.</summary>
    public Verdict EvaluateLint(IEnumerable<Severity> findings)
    {
        if (MaxLintSeverity is not { } max)
        {
            return Verdict.None;
        }
        var list = findings.ToList();
        var worst = list.Count == 0 ? (Severity?)null : list.Max();
        var passed = worst is null || worst <= max;
        var actual = worst?.ToName() ?? "none";
        var worse = list.Count(f => f > max);
        return new Verdict([new RuleResult("maxLintSeverity", passed, actual, max.ToName(),
            passed ? $"worst lint finding ({actual}) is within {max.ToName()}" : $"{worse} lint finding(s) are worse than {max.ToName()} (worst: {actual})")]);
    }

    private static long? Size(string value, string where)
    {
        if (IsDisabled(value))
        {
            return null;
        }
        return ByteSize.TryParse(value, out var bytes) ? bytes
            : throw new CiConfigException($"{where}: '{value}' is not a size such as 20MB (or disabled/off)");
    }

    /// <summary>
    /// wasted bytes ÷ bytes added after the base layer (layer 0), as dive's
    /// highestUserWastedPercent; 0 when there are no user layers.
    /// </summary>
    public static double UserWastedRatio(ImageAnalysis a)
    {
        var user = a.SizeBytes - (a.Layers.Count > 0 ? a.Layers[0].SizeBytes : 0);
        return user <= 0 ? 0 : (double)a.WastedBytes / user;
    }

    public Verdict Evaluate(ImageAnalysis a)
    {
        var results = new List<RuleResult>();
        if (LowestEfficiency is { } le)
        {
            results.Add(Min("lowestEfficiency", a.Efficiency, le, "efficiency"));
        }
        if (HighestWastedBytes is { } hw)
        {
            results.Add(Max("highestWastedBytes", a.WastedBytes, hw, "wasted bytes"));
        }
        if (HighestUserWastedPercent is { } hu)
        {
            var ratio = UserWastedRatio(a);
            results.Add(new RuleResult("highestUserWastedPercent", ratio <= hu, F(ratio), F(hu),
                ratio <= hu ? $"user wasted ratio {F(ratio)} is within {F(hu)}" : $"user wasted ratio {F(ratio)} is above the highest allowed {F(hu)}"));
        }
        if (MaxWastedBytes is { } mw)
        {
            results.Add(Max("maxWastedBytes", a.WastedBytes, mw, "wasted bytes"));
        }
        if (MinEfficiency is { } me)
        {
            results.Add(Min("minEfficiency", a.Efficiency, me, "efficiency"));
        }
        if (MaxDuplicateBytes is { } md)
        {
            results.Add(Max("maxDuplicateBytes", a.DuplicateBytes, md, "duplicate bytes"));
        }
        return new Verdict(results);
    }

    private static RuleResult Min(string rule, double actual, double min, string what) =>
        new(rule, actual >= min, F(actual), F(min),
            actual >= min ? $"{what} {F(actual)} meets {F(min)}" : $"{what} {F(actual)} is below the lowest allowed {F(min)}");

    private static RuleResult Max(string rule, long actual, long max, string what) =>
        new(rule, actual <= max, actual.ToString(CultureInfo.InvariantCulture), max.ToString(CultureInfo.InvariantCulture),
            actual <= max ? $"{what} {ByteSize.Format(actual)} within {ByteSize.Format(max)}" : $"{what} {ByteSize.Format(actual)} exceed the highest allowed {ByteSize.Format(max)}");

    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
