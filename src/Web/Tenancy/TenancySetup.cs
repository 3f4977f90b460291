using LayerLens.Data;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Accounts;
using LayerLens.Web.Api;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Web.Limits;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Server.Circuits;
using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LayerLens.Web.Tenancy;

/// <summary>Accounts (Identity with cookies), API keys, workspace scoping and the scope policies.</summary>
public static class TenancySetup
{
    public const string Scheme = "LayerLens";

    public static IServiceCollection AddLayerLensTenancy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<WorkspaceContext>();
        services.AddScoped<WorkspaceAccess>();
        services.AddSingleton<Memberships>();
        services.AddScoped<ScopeMemberships>();
        services.AddScoped<IWorkspaceScope>(sp => sp.GetRequiredService<WorkspaceContext>());
        services.AddScoped<CircuitHandler, WorkspaceCircuitHandler>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<AuditLog>();
        services.AddScoped<WorkspaceProvisioning>();
        services.AddScoped<LayerLens.Web.Invitations.InvitationService>();
        services.AddScoped<LayerLens.Web.RegistryHooks.RegistryHostMappings>();
        services.AddScoped<LayerLens.Web.Verdicts.ProjectPolicies>();
        services.AddScoped<LayerLens.Web.Baselines.ProjectSettings>();
        services.AddSingleton(configuration.GetSection("LayerLens:Invitations").Get<LayerLens.Web.Invitations.InvitationSettings>() ?? new LayerLens.Web.Invitations.InvitationSettings());
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<WorkspaceQuotas>();
        services.AddSingleton(configuration.GetSection("LayerLens:RateLimits").Get<SignInLimits>() ?? new SignInLimits());
        services.AddSingleton<SignInThrottle>();
        services.AddSingleton(configuration.GetSection("LayerLens:Accounts").Get<AccountSettings>() ?? new AccountSettings());
        var requireHttpsCookies = configuration.GetValue<bool>("LayerLens:Security:RequireHttpsCookies");

        services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
            })
            // A bearer header means an API key; anything else is the sign-in cookie.
            .AddPolicyScheme(Scheme, "API key or cookie", o => o.ForwardDefaultSelector = context =>
                ApiKeyAuthenticationHandler.HasBearer(context.Request) ? ApiKeyAuthenticationHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/account/signin";
                o.AccessDeniedPath = "/not-found";
                o.Cookie.Name = "LayerLens.Auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = requireHttpsCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                // The API answers 401/403 problems; only pages redirect to the sign-in form.
                o.Events.OnRedirectToLogin = context => context.Request.Path.StartsWithSegments("/api")
                    ? ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized, "Authentication required",
                        "send an API key as 'Authorization: Bearer <key>' or sign in")
                    : Redirect(context);
                o.Events.OnRedirectToAccessDenied = context => context.Request.Path.StartsWithSegments("/api")
                    ? ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden, "Missing scope", "your role in this workspace does not allow this")
                    : Redirect(context);
            }));

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Password.RequiredLength = 12;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireLowercase = true;
                o.Password.RequireDigit = true;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddEntityFrameworkStores<AppDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<WorkspaceClaimsFactory>()
            .AddDefaultTokenProviders();

        services.AddAuthorizationBuilder()
            .AddPolicy(ApiScopes.AnalysesRead, p => p.RequireClaim(LayerLensClaims.Scope, ApiScopes.AnalysesRead))
            .AddPolicy(ApiScopes.AnalysesWrite, p => p.RequireClaim(LayerLensClaims.Scope, ApiScopes.AnalysesWrite))
            .AddPolicy(ApiScopes.WebhooksManage, p => p.RequireClaim(LayerLensClaims.Scope, ApiScopes.WebhooksManage))
            .AddPolicy(ApiScopes.KeysManage, p => p.RequireClaim(LayerLensClaims.Scope, ApiScopes.KeysManage))
            .AddPolicy(ApiScopes.MembersManage, p => p.RequireClaim(LayerLensClaims.Scope, ApiScopes.MembersManage));
        services.AddCascadingAuthenticationState();
        return services;
    }

    /// <summary>
    /// After authentication: the request's workspace comes from its principal. An API key is bound to its
    /// workspace; a signed-in user acts in their chosen workspace, checked against their memberships now.
    /// Static assets (css, scripts, fonts, the framework's files) read no workspace data, so they skip the lookup.
    /// </summary>
    public static IApplicationBuilder UseWorkspaceScope(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null)
        {
            await next(context);
            return;
        }
        if (context.User.Identity?.IsAuthenticated == true && !context.User.HasClaim(c => c.Type == LayerLensClaims.ApiKey)
            && context.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            var resolved = await context.RequestServices.GetRequiredService<ScopeMemberships>().ResolveAsync(userId, context.RequestAborted);
            context.User = Memberships.WithWorkspace(context.User, resolved.Current);
        }
        context.RequestServices.GetRequiredService<WorkspaceContext>().SetFrom(context.User);
        await next(context);
    });

    /// <summary>
    /// A service refused the action (<see cref="WorkspaceAccess"/>): the API answers 403 with the reason, as when the
    /// endpoint's own policy refuses. The endpoint policies come first; this covers what changed in between.
    /// </summary>
    public static IApplicationBuilder UseScopeDenials(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (ScopeDeniedException ex) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await ApiProblems.WriteAsync(context, StatusCodes.Status403Forbidden, "Missing scope", ex.Message);
        }
    });

    private static Task Redirect(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
