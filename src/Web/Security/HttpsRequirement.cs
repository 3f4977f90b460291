namespace LayerLens.Web.Security;

/// <summary>
/// With LayerLens:Security:RequireHttpsCookies the sign-in and antiforgery cookies are Secure-only, so a page
/// served over plain HTTP cannot work (antiforgery throws). A page request that a TLS proxy forwarded as plain
/// HTTP (its X-Forwarded-Proto said http) is sent to the HTTPS address; any other plain-HTTP page request is
/// refused with a message instead of a 500. API clients (API keys) and the health probe keep working on the
/// internal HTTP address, as before.
/// </summary>
public static class HttpsRequirement
{
    /// <summary>After UseForwardedHeaders, which records a proxy's original scheme in X-Original-Proto.</summary>
    public static IApplicationBuilder UseHttpsRequirement(this IApplicationBuilder app, bool requireHttpsCookies) =>
        !requireHttpsCookies ? app : app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.IsHttps || request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/healthz"))
            {
                await next(context);
                return;
            }
            var fromProxy = request.Headers.ContainsKey("X-Original-Proto");
            if (fromProxy && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)))
            {
                context.Response.StatusCode = StatusCodes.Status308PermanentRedirect;
                context.Response.Headers.Location = $"https://{request.Host}{request.PathBase}{request.Path}{request.QueryString}";
                return;
            }
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(
                "HTTPS is required: this server sends its sign-in cookies over HTTPS only (LayerLens:Security:RequireHttpsCookies); open its https:// address.\n");
        });
}
