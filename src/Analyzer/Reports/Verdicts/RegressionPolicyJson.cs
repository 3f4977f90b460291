using System.Text.Json;
using System.Text.Json.Serialization;
using LayerLens.Analyzer.Dockerfiles.Linting;

namespace LayerLens.Analyzer.Reports.Verdicts;

/// <summary>
/// A <see cref="RegressionPolicy"/> as JSON, for the project policy API and the database: the same names as
/// <c>layerlens.yaml</c>'s <c>regression:</c> section, null for a disabled limit, actions and severities as words.
/// <see cref="ToPolicy"/> checks every value as the YAML reader does.
/// </summary>
public sealed record RegressionPolicyJson(
    long? MaxSizeIncreaseBytes,
    double? MaxSizeIncreasePercent,
    long? MaxWastedIncreaseBytes,
    double? MaxEfficiencyDrop,
    string NewFindings,
    string NewFindingsSeverity,
    string NewWaste,
    string NoBaseline)
{
    private static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
        TypeInfoResolver = RegressionPolicyJsonContext.Default,
    };

    public static RegressionPolicyJson From(RegressionPolicy policy) => new(
        policy.MaxSizeIncreaseBytes,
        policy.MaxSizeIncreasePercent,
        policy.MaxWastedIncreaseBytes,
        policy.MaxEfficiencyDrop,
        Name(policy.NewFindings),
        policy.NewFindingsSeverity.ToName(),
        Name(policy.NewWaste),
        policy.FailWithoutBaseline ? "fail" : "pass");

    /// <summary>The policy these values describe; a bad value fails naming <paramref name="what"/> and the field.</summary>
    public RegressionPolicy ToPolicy(string what = "regression policy")
    {
        if (MaxSizeIncreaseBytes is < 0 || MaxWastedIncreaseBytes is < 0)
        {
            throw new CiConfigException($"{what}: a byte limit is negative");
        }
        if (MaxSizeIncreasePercent is { } percent && (percent < 0 || !double.IsFinite(percent)))
        {
            throw new CiConfigException($"{what}: maxSizeIncreasePercent '{percent}' is not a percentage of 0 or more");
        }
        if (MaxEfficiencyDrop is { } drop && drop is < 0 or > 1 or double.NaN)
        {
            throw new CiConfigException($"{what}: maxEfficiencyDrop '{drop}' is not a ratio between 0 and 1");
        }
        return new RegressionPolicy
        {
            MaxSizeIncreaseBytes = MaxSizeIncreaseBytes,
            MaxSizeIncreasePercent = MaxSizeIncreasePercent,
            MaxWastedIncreaseBytes = MaxWastedIncreaseBytes,
            MaxEfficiencyDrop = MaxEfficiencyDrop,
            NewFindings = Action(NewFindings, "newFindings", what),
            NewFindingsSeverity = SeverityNames.TryParse(NewFindingsSeverity, out var severity) ? severity
                : throw new CiConfigException($"{what}: newFindingsSeverity '{NewFindingsSeverity}' is not error, warning, info or style"),
            NewWaste = Action(NewWaste, "newWaste", what),
            FailWithoutBaseline = NoBaseline switch
            {
                "fail" => true,
                "pass" => false,
                _ => throw new CiConfigException($"{what}: noBaseline '{NoBaseline}' is not pass or fail"),
            },
        };
    }

    public string Write() => JsonSerializer.Serialize(this, Options);

    /// <summary>Reads the stored or uploaded JSON; malformed JSON or a missing field fails as bad input.</summary>
    public static RegressionPolicyJson Parse(string json, string what = "regression policy")
    {
        try
        {
            return JsonSerializer.Deserialize<RegressionPolicyJson>(json, Options) ?? throw new CiConfigException($"{what}: empty (null)");
        }
        catch (JsonException ex)
        {
            throw new CiConfigException($"{what}: not a regression policy ({ex.Message})", ex);
        }
    }

    private static string Name(RegressionAction action) => action switch
    {
        RegressionAction.Fail => "fail",
        RegressionAction.Warn => "warn",
        _ => "off",
    };

    private static RegressionAction Action(string? value, string field, string what) => value switch
    {
        "fail" => RegressionAction.Fail,
        "warn" => RegressionAction.Warn,
        "off" => RegressionAction.Off,
        _ => throw new CiConfigException($"{what}: {field} '{value}' is not fail, warn or off"),
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(RegressionPolicyJson))]
internal sealed partial class RegressionPolicyJsonContext : JsonSerializerContext;
