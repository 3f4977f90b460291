using System.Security.Claims;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Audit;
using LayerLens.Web.Invitations;
using LayerLens.Web.Limits;
using Microsoft.AspNetCore.Antiforgery;
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
        account.MapPost("/workspace", SwitchWorkspaceAsync).RequireAuthorization();
        account.MapPost("/invitations/accept", AcceptInvitationAsync).RequireAuthorization();
        account.MapPost("/invitations/signup", SignUpThroughInvitationAsync);
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
        HttpContext http, SignInManager<AppUser> signIn, SignInThrottle throttle, SystemDbContextFactory system, AuditLog audit, CancellationToken ct)
    {
        var address = http.Connection.RemoteIpAddress;
        if (throttle.RetryAfter(address, email ?? "") is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Text($"Too many failed sign-ins from this address; try again in {seconds} s.", "text/plain", statusCode: StatusCodes.Status429TooManyRequests);
        }
        var result = await signIn.PasswordSignInAsync(email?.Trim() ?? "", password ?? "", isPersistent: false, lockoutOnFailure: true);
        if (!result.Succeeded)
        {
            throttle.Failed(address, email ?? "");
        }
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

    /// <summary>
    /// A form post with the page's antiforgery token: another site cannot sign a user out (a request with no form
    /// field is not checked by form binding, so the token is validated here).
    /// </summary>
    private static async Task<IResult> SignOutAsync(HttpContext http, IAntiforgery antiforgery, SignInManager<AppUser> signIn)
    {
        if (!await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid form", detail: "sign out from the app's own Sign out button");
        }
        await signIn.SignOutAsync();
        return Results.LocalRedirect("/account/signin");
    }

    /// <summary>The switcher: remembers the chosen workspace for the user; a workspace they are not a member of is not found.</summary>
    private static async Task<IResult> SwitchWorkspaceAsync(
        [FromForm] string? workspace, [FromForm] string? returnUrl, HttpContext http, Memberships memberships,
        SignInManager<AppUser> signIn, AuditLog audit, CancellationToken ct)
    {
        var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (userId is null || http.User.HasClaim(c => c.Type == LayerLensClaims.ApiKey))
        {
            return Results.Unauthorized();
        }
        if (!Guid.TryParse(workspace, out var id) || !await memberships.ChooseAsync(userId, id, ct))
        {
            return Results.NotFound();
        }
        // A fresh cookie for the chosen workspace (requests re-check the membership either way).
        if (await signIn.UserManager.FindByIdAsync(userId) is { } user)
        {
            await signIn.RefreshSignInAsync(user);
            await audit.WriteForAsync(id, user.Email ?? userId, "workspace.switched-to", null, ct);
        }
        return Results.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>A signed-in user accepts an invitation addressed to them and lands in that workspace.</summary>
    private static async Task<IResult> AcceptInvitationAsync(
        [FromForm] string? token, HttpContext http, InvitationService invitations, SignInManager<AppUser> signIn, CancellationToken ct)
    {
        if (await signIn.UserManager.GetUserAsync(http.User) is not { } user)
        {
            return Results.Unauthorized();
        }
        if (await invitations.AcceptAsync(token, user.Id, user.Email ?? "", ct) is { } error)
        {
            return Back($"/invitations/{Uri.EscapeDataString(token ?? "")}", error);
        }
        await signIn.RefreshSignInAsync(user);
        return Results.LocalRedirect("/");
    }

    /// <summary>
    /// Signing up through an invitation: the account gets the invited address and joins that workspace (no workspace
    /// of its own), even when open sign-up is closed; the token is what authorises it.
    /// </summary>
    private static async Task<IResult> SignUpThroughInvitationAsync(
        [FromForm] string? token, [FromForm] string? password, InvitationService invitations, SignInManager<AppUser> signIn, CancellationToken ct)
    {
        var page = $"/invitations/{Uri.EscapeDataString(token ?? "")}";
        if (await invitations.FindOpenAsync(token, ct) is not { } open)
        {
            return Back(page, "this invitation link is not valid: it was used, revoked or has expired");
        }
        if (await signIn.UserManager.FindByEmailAsync(open.Email) is not null)
        {
            return Back(page, $"an account for {open.Email} exists; sign in and accept the invitation");
        }
        var user = new AppUser { UserName = open.Email, Email = open.Email };
        var created = await signIn.UserManager.CreateAsync(user, password ?? "");
        if (!created.Succeeded)
        {
            return Back(page, string.Join(" ", created.Errors.Select(e => e.Description)));
        }
        if (await invitations.AcceptAsync(token, user.Id, open.Email, ct) is { } error)
        {
            await signIn.UserManager.DeleteAsync(user);
            return Back(page, error);
        }
        await signIn.SignInAsync(user, isPersistent: false);
        return Results.LocalRedirect("/");
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
