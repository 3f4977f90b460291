using System.Globalization;
using System.Threading.RateLimiting;
using LayerLens.Web.Api;
using LayerLens.Web.Configuration;
using LayerLens.Web.Tenancy;

namespace LayerLens.Web.Limits;

/// <summary>API rate limits per key (or user) and per workspace, chained; past either the API answers 429 with Retry-After.</summary>
public static class RateLimitSetup
{
    public static IServiceCollection AddLayerLensRateLimits(this IServiceCollection services, ResolvedSettings settings)
    {
        var perCaller = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            Partition(context, c => c.User.FindFirst(LayerLensClaims.ApiKey)?.Value ?? c.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value, settings.RequestsPerKey, settings));
        var perWorkspace = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            Partition(context, c => c.User.FindFirst(LayerLensClaims.Workspace)?.Value, settings.RequestsPerWorkspace, settings));
        services.AddRateLimiter(options =>
        {
            options.GlobalLimiter = PartitionedRateLimiter.CreateChained(perCaller, perWorkspace);
            options.OnRejected = (context, ct) =>
            {
                var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : settings.RateLimitWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
                context.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return new ValueTask(ApiProblems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"the rate limit of this key or workspace is used up; retry in {seconds} s"));
            };
        });
        return services;
    }

    private static RateLimitPartition<string> Partition(HttpContext context, Func<HttpContext, string?> key, int permits, ResolvedSettings settings)
    {
        var id = context.Request.Path.StartsWithSegments("/api") ? key(context) : null;
        return id is null
            ? RateLimitPartition.GetNoLimiter("none")
            : RateLimitPartition.GetFixedWindowLimiter(id, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = settings.RateLimitWindow,
                QueueLimit = 0,
            });
    }
}
