using Microsoft.AspNetCore.Identity;

namespace LayerLens.Data.Model.Workspaces;

/// <summary>A person who signs in (ASP.NET Core Identity); what they see is decided by their workspace memberships.</summary>
public sealed class AppUser : IdentityUser
{
    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;
}
