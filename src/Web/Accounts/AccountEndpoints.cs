using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Accounts;

/// <summary>
/// Form posts of the account pages. Minimal API form binding validates the antiforgery token that
/// every form carries; failures redirect back to the form with a message (never the password).
/// </summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccounts(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapPost("/signup", SignUpAsync);
        account.MapPost("/signin", SignInAsync);
        account.MapPost("/signout", SignOutAsync);
        return app;
    }

    private static async Task<IResult> SignUpAsync(
        [FromForm] string email, [FromForm] string password, [FromForm] string? workspace,
        WorkspaceProvisioning provisioning, SignInManager<AppUser> signIn, AccountSettings accounts, CancellationToken ct)
    {
        if (!accounts.AllowSignUp && await signIn.UserManager.Users.AnyAsync(ct))
        {
            return Back("/account/signup", "sign-up is closed on this server; ask a workspace owner to add you");
        }
        var (user, errors) = await provisioning.SignUpAsync(email ?? "", password ?? "", workspace ?? "", ct);
        if (user is null)
        {
            return Back("/account/signup", string.Join(" ", errors));
        }
        await signIn.SignInAsync(user, isPersistent: false);
        return Results.LocalRedirect("/");
    }

    private static async Task<IResult> SignInAsync(
        [FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl,
        SignInManager<AppUser> signIn, SystemDbContextFactory system, AuditLog audit, CancellationToken ct)
    {
        var result = await signIn.PasswordSignInAsync(email?.Trim() ?? "", password ?? "", isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return Back("/account/signin", "too many failed attempts; this account is locked for a few minutes");
        }
        if (!result.Succeeded)
        {
            return Back("/account/signin", "wrong email or password");
        }
        var user = await signIn.UserManager.FindByEmailAsync(email!.Trim());
        await using (var db = system.CreateDbContext())
        {
            var workspaces = await db.WorkspaceMembers.Where(m => m.UserId == user!.Id).Select(m => m.WorkspaceId).ToListAsync(ct);
            foreach (var id in workspaces)
            {
                await audit.WriteForAsync(id, user!.Email!, "user.signed-in", null, ct);
            }
        }
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    private static async Task<IResult> SignOutAsync(SignInManager<AppUser> signIn)
    {
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/account/signin");
    }

    private static bool IsLocal(string? url) => url is { Length: > 0 } && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'));

    private static IResult Back(string page, string error) => Results.LocalRedirect($"{page}?error={Uri.EscapeDataString(error)}");
}

/// <summary>The <c>LayerLens:Accounts</c> section.</summary>
public sealed class AccountSettings
{
    /// <summary>Let visitors create accounts (each with its own workspace) after the first administrator.</summary>
    public bool AllowSignUp { get; set; } = true;
}
