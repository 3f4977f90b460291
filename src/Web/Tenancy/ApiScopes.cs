using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Web.Tenancy;

/// <summary>What an API key (or a member's role) may do.</summary>
public static class ApiScopes
{
    public const string AnalysesWrite = "analyses:write";
    public const string AnalysesRead = "analyses:read";
    public const string WebhooksManage = "webhooks:manage";
    public const string KeysManage = "keys:manage";
    public const string MembersManage = "members:manage";

    public static readonly string[] All = [AnalysesWrite, AnalysesRead, WebhooksManage, KeysManage, MembersManage];

    /// <summary>Signed-in members act with the scopes of their role.</summary>
    public static string[] ForRole(WorkspaceRole role) => role switch
    {
        WorkspaceRole.Owner => All,
        WorkspaceRole.Member => [AnalysesWrite, AnalysesRead],
        _ => [AnalysesRead],
    };

    /// <summary>Parses a list, refusing unknown names; an empty list means every scope.</summary>
    public static string[] Parse(IEnumerable<string>? scopes)
    {
        var list = (scopes ?? []).Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (list.FirstOrDefault(s => !All.Contains(s)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a scope; use {string.Join(", ", All)}");
        }
        return list.Length == 0 ? All : list;
    }
}
