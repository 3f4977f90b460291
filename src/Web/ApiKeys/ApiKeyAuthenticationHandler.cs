using System.Security.Claims;
using System.Text.Encodings.Web;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Api;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using LayerLens.Data.Model.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace LayerLens.Web.ApiKeys;

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>: the key's hash finds an unrevoked key; the principal carries its
/// workspace and scopes. Last-used time is written at most once a minute per key.
/// A key made by a member acts for that member: it is refused once they left the workspace (or were removed), and
/// holds only the scopes their role has now (a demoted owner's key loses keys:manage at once). Both are read on every
/// request. Keys configured by the operator (<c>bootstrap</c>) keep their own scopes.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    SystemDbContextFactory system,
    ILookupNormalizer normalizer)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    public static bool HasBearer(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }
        var token = header["Bearer ".Length..].Trim();
        if (token.Length is 0 or > 512)
        {
            return AuthenticateResult.Fail("malformed bearer token");
        }
        var hash = ApiKeyService.Hash(token);
        await using var db = await system.CreateDbContextAsync(Context.RequestAborted);
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Hash == hash && k.RevokedAtUtc == null, Context.RequestAborted);
        if (key is null)
        {
            return AuthenticateResult.Fail("unknown or revoked API key");
        }
        var now = DateTime.UtcNow;
        if (key.LastUsedAtUtc is null || key.LastUsedAtUtc < now.AddMinutes(-1))
        {
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAtUtc, now), Context.RequestAborted);
        }
        var scopes = key.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (ApiKeyService.CreatorAccount(key.CreatedBy) is { } creator)
        {
            var email = normalizer.NormalizeEmail(creator);
            var role = await db.WorkspaceMembers.AsNoTracking()
                .Where(m => m.WorkspaceId == key.WorkspaceId)
                .Join(db.Users.Where(u => u.NormalizedEmail == email), m => m.UserId, u => u.Id, (m, u) => (WorkspaceRole?)m.Role)
                .FirstOrDefaultAsync(Context.RequestAborted);
            if (role is not { } current)
            {
                return AuthenticateResult.Fail("the member who created this API key is no longer in its workspace");
            }
            scopes = [.. scopes.Intersect(ApiScopes.ForRole(current), StringComparer.Ordinal)];
        }
        var claims = new List<Claim>
        {
            new(ClaimTypes.Name, "key:" + key.Name),
            new(LayerLensClaims.Actor, "key:" + key.Name),
            new(LayerLensClaims.Workspace, key.WorkspaceId.ToString()),
            new(LayerLensClaims.ApiKey, key.Id.ToString()),
        };
        claims.AddRange(scopes.Select(s => new Claim(LayerLensClaims.Scope, s)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer realm=\"LayerLens\"";
        return ApiProblems.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Authentication required",
            "send an API key as 'Authorization: Bearer <key>' (create one under Settings → API keys) or sign in");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ApiProblems.WriteAsync(Context, StatusCodes.Status403Forbidden, "Missing scope",
            "this credential lacks the scope this endpoint needs");
}
