namespace LayerLens.Cli.Submit;

/// <summary>The branch and commit a CI run builds, as its provider's standard variables name them.</summary>
internal sealed record CiRevision(string Provider, string? Branch, string? Commit);

/// <summary>
/// Defaults for <c>submit --branch/--commit</c> from the CI's own environment variables. A provider is recognised
/// by its marker variable; in a pull/merge request the source branch wins over the ref being built (the target's
/// baseline is what the change is compared with). Jenkins comes last: its variable names are the most generic.
/// </summary>
internal static class CiEnvironment
{
    private sealed record Provider(string Name, string Marker, string[] Branches, string[] Commits);

    private static readonly Provider[] Providers =
    [
        new("GitHub Actions", "GITHUB_ACTIONS", ["GITHUB_HEAD_REF", "GITHUB_REF_NAME"], ["GITHUB_SHA"]),
        new("GitLab CI", "GITLAB_CI", ["CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME"], ["CI_COMMIT_SHA"]),
        // Azure's BUILD_SOURCEBRANCHNAME is only the last segment (release/2.0 → 2.0): the full ref, refs/heads/ stripped.
        new("Azure Pipelines", "TF_BUILD", ["SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"], ["BUILD_SOURCEVERSION"]),
        new("CircleCI", "CIRCLECI", ["CIRCLE_BRANCH"], ["CIRCLE_SHA1"]),
        new("Buildkite", "BUILDKITE", ["BUILDKITE_BRANCH"], ["BUILDKITE_COMMIT"]),
        new("Jenkins", "JENKINS_URL", ["BRANCH_NAME", "GIT_BRANCH"], ["GIT_COMMIT"]),
    ];

    /// <summary>The first provider whose marker is set, with the first non-empty branch and commit it offers; null outside CI.</summary>
    public static CiRevision? Detect(Func<string, string?> variable)
    {
        foreach (var provider in Providers)
        {
            if (string.IsNullOrEmpty(variable(provider.Marker)))
            {
                continue;
            }
            var branch = provider.Branches.Select(variable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
            var commit = provider.Commits.Select(variable).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v) && v != "HEAD");
            return new CiRevision(provider.Name, Branch(branch), commit?.Trim());
        }
        return null;
    }

    /// <summary>refs/heads/x (Azure's refs) and origin/x (Jenkins' GIT_BRANCH) name branch x.</summary>
    private static string? Branch(string? value)
    {
        var branch = value?.Trim();
        foreach (var prefix in new[] { "refs/heads/", "origin/" })
        {
            if (branch is not null && branch.StartsWith(prefix, StringComparison.Ordinal))
            {
                return branch[prefix.Length..];
            }
        }
        return branch;
    }
}
