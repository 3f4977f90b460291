namespace LayerLens.Cli.Submit;

/// <summary>
/// What <c>submit</c> tells the service about the revision and its baseline, as query fields named <c>branch</c>,
/// <c>commit</c>, <c>baselineBranch</c> and <c>baseline</c>: the options given, else the CI's variables for branch
/// and commit. Each value is checked here so a bad one fails before the upload.
/// </summary>
internal static class RevisionFields
{
    private const int MaxBranchLength = 255;

    public static IReadOnlyList<(string Name, string Value)> Collect(string? branch, string? commit, string? baselineBranch, string? baseline, Func<string, string?> variable)
    {
        var ci = CiEnvironment.Detect(variable);
        branch = string.IsNullOrWhiteSpace(branch) ? ci?.Branch : branch.Trim();
        commit = string.IsNullOrWhiteSpace(commit) ? ci?.Commit : commit.Trim();
        var fields = new List<(string, string)>();
        if (branch is { Length: > 0 })
        {
            fields.Add(("branch", Branch(branch, ci is not null && branch == ci.Branch ? $"the branch from {ci.Provider}" : "--branch")));
        }
        if (commit is { Length: > 0 })
        {
            fields.Add(("commit", Commit(commit, ci is not null && commit == ci.Commit ? $"the commit from {ci.Provider}" : "--commit")));
        }
        if (!string.IsNullOrWhiteSpace(baselineBranch))
        {
            fields.Add(("baselineBranch", Branch(baselineBranch.Trim(), "--baseline-branch")));
        }
        if (!string.IsNullOrWhiteSpace(baseline))
        {
            var id = baseline.Trim();
            fields.Add(("baseline", id.Length <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-')
                ? id
                : throw new SubmitFailure(ExitCodes.BadInput, $"--baseline '{Shown(id)}' is not an analysis id")));
        }
        return fields;
    }

    private static string Branch(string branch, string what) =>
        branch.Length <= MaxBranchLength && !branch.Any(char.IsControl)
            ? branch
            : throw new SubmitFailure(ExitCodes.BadInput, $"{what} '{Shown(branch)}' is not a branch name (at most {MaxBranchLength} characters, no control characters)");

    private static string Commit(string commit, string what) =>
        commit.Length is >= 4 and <= 64 && commit.All(char.IsAsciiHexDigit)
            ? commit.ToLowerInvariant()
            : throw new SubmitFailure(ExitCodes.BadInput, $"{what} '{Shown(commit)}' is not a commit hash (4 to 64 hexadecimal digits)");

    private static string Shown(string value) =>
        new(value.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
