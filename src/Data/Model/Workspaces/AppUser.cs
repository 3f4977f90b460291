using Microsoft.AspNetCore.Identity;

namespace LayerLens.Data.Model.Workspaces;

/// <summary>A person who signs in (ASP.NET Core Identity); what they see is decided by their workspace memberships.</summary>
public sealed class AppUser : IdentityUser
{
    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    /// <summary>The workspace last chosen in the switcher; honoured only while the user is still a member of it.</summary>
    public Guid? CurrentWorkspaceId { get; set; }
}
