using LayerLens.Web.Api;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Antiforgery;

namespace LayerLens.Web.Security;

/// <summary>
/// The sign-in cookie rides along with any request the browser makes, so an API call that changes something and
/// is authenticated by that cookie must also carry the antiforgery token in a header (pages put it in a meta tag;
/// upload.js sends it). SameSite=Lax alone leaves same-site sibling hosts and old browsers. API keys are not sent
/// by browsers on their own, so bearer requests are exempt. The header is required: the form is never read for
/// it, so uploads stay streamed.
/// </summary>
public static class ApiAntiforgery
{
    public const string HeaderName = "X-LayerLens-Antiforgery";

    /// <summary>The meta tag whose content is the token, for scripts.</summary>
    public const string MetaName = "layerlens-antiforgery";

    public static IServiceCollection AddLayerLensAntiforgery(this IServiceCollection services, bool requireHttpsCookies) =>
        services.AddAntiforgery(o =>
        {
            o.HeaderName = HeaderName;
            o.Cookie.SecurePolicy = requireHttpsCookies ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });

    /// <summary>After authentication and the workspace scope.</summary>
    public static IApplicationBuilder UseApiAntiforgery(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (NeedsToken(context) && !await HasValidTokenAsync(context))
        {
            await ApiProblems.WriteAsync(context, StatusCodes.Status400BadRequest, "Antiforgery token required",
                $"a signed-in browser's API request that changes something must send the page's antiforgery token in the {HeaderName} header; CI clients send an API key instead");
            return;
        }
        await next(context);
    });

    private static bool NeedsToken(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api")
        && !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
             || HttpMethods.IsOptions(context.Request.Method) || HttpMethods.IsTrace(context.Request.Method))
        && context.User.Identity?.IsAuthenticated == true
        && !context.User.HasClaim(c => c.Type == LayerLensClaims.ApiKey);

    private static async Task<bool> HasValidTokenAsync(HttpContext context)
    {
        if (string.IsNullOrEmpty(context.Request.Headers[HeaderName]))
        {
            return false;
        }
        return await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
    }
}
