using System.Globalization;
using LayerLens.Web.Analyses;
using Microsoft.Extensions.Primitives;

namespace LayerLens.Web.Baselines;

/// <summary>
/// Where an analysed image or Dockerfile was built in the caller's history (<c>branch</c>, <c>commit</c>) and what
/// it is to be compared with (<c>baselineBranch</c>, or an explicit <c>baseline</c> analysis id), as an intake received
/// them: query parameters, multipart fields or JSON properties, all untrusted text until <see cref="Validate"/>.
/// </summary>
public sealed record BaselineRequest(string? Branch, string? Commit, string? BaselineBranch, string? Baseline)
{
    public const int MaxBranchLength = 255;
    public const int MaxCommitLength = 128;

    /// <summary>The field names, as every intake spells them.</summary>
    public static readonly string[] Fields = ["branch", "commit", "baselineBranch", "baseline"];

    public static BaselineRequest None { get; } = new(null, null, null, null);

    /// <summary>The four fields from a query string (a tarball upload has no other room for them).</summary>
    public static BaselineRequest FromQuery(IQueryCollection query) =>
        new(Text(query["branch"]), Text(query["commit"]), Text(query["baselineBranch"]), Text(query["baseline"]));

    /// <summary>This request with each field it lacks taken from <paramref name="fallback"/>.</summary>
    public BaselineRequest Or(BaselineRequest fallback) =>
        new(Branch ?? fallback.Branch, Commit ?? fallback.Commit, BaselineBranch ?? fallback.BaselineBranch, Baseline ?? fallback.Baseline);

    /// <summary>Checks each field (length, no control characters, a baseline id that is an id); refusals name the field.</summary>
    public ValidBaselineRequest Validate()
    {
        Guid? baseline = null;
        if (Baseline is { } text)
        {
            baseline = Guid.TryParse(text, out var id)
                ? id
                : throw new IntakeException($"'baseline' must be the id of an analysis (a GUID such as 0f8fad5b-d9cb-469f-a165-70867728950e), not '{Shown(text)}'");
        }
        return new ValidBaselineRequest(
            Name(Branch, "branch", MaxBranchLength),
            Name(Commit, "commit", MaxCommitLength),
            Name(BaselineBranch, "baselineBranch", MaxBranchLength),
            baseline);
    }

    /// <summary>A branch or commit name: trimmed, at most <paramref name="max"/> characters, no control characters.</summary>
    public static string? Name(string? value, string field, int max)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        value = value.Trim();
        if (value.Length > max)
        {
            throw new IntakeException($"'{field}' is longer than {max} characters ({value.Length})");
        }
        for (var i = 0; i < value.Length; i++)
        {
            // Control characters, and invisible ones that reorder or hide text where the name is shown (U+202E, U+2028).
            if (char.GetUnicodeCategory(value[i]) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                throw new IntakeException($"'{field}' contains a control character (U+{(int)value[i]:X4} at position {i + 1}); branch and commit names are printable text");
            }
        }
        return value;
    }

    private static string? Text(StringValues values) => values.Count == 0 || string.IsNullOrWhiteSpace(values[0]) ? null : values[0];

    private static string Shown(string text) =>
        new([.. (text.Length > 60 ? text[..60] + "…" : text).Select(c => char.IsControl(c) ? '?' : c)]);
}

/// <summary>A <see cref="BaselineRequest"/> that passed its checks.</summary>
public sealed record ValidBaselineRequest(string? Branch, string? Commit, string? BaselineBranch, Guid? Baseline);
