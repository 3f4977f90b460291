using Hangfire;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Accounts;
using LayerLens.Web.Analyses;
using LayerLens.Web.Api;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Web.Reviews;
using LayerLens.Web.DataProtection;
using LayerLens.Data;
using LayerLens.Web.Components;
using LayerLens.Web.Configuration;
using LayerLens.Web.Health;
using LayerLens.Web.Hosting;
using LayerLens.Web.Metrics;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Webhooks;
using LayerLens.Web.RegistryHooks;
using LayerLens.Web.Security;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;

if (HealthProbe.IsRequested(args))
{
    return await HealthProbe.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);
// Serve package assets (MudBlazor) from the build output too, so `dotnet LayerLens.Web.dll` works in any environment.
builder.WebHost.UseStaticWebAssets();

var settings = ResolvedSettings.From(builder.Configuration, builder.Environment);
builder.Services.AddSingleton(settings);
builder.Services.AddLayerLensData(settings.DatabaseProvider, settings.DatabaseConnectionString);
builder.Services.AddLayerLensJobs(settings);
builder.Services.AddLayerLensHealthChecks(settings.Role);
builder.Services.AddLayerLensMetrics(builder.Configuration);
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddLayerLensDataProtection();
builder.Services.AddSingleton(new NetworkTargetGuard(settings));
builder.Services.AddScoped<AnalysisIntake>();
builder.Services.AddSingleton<ReportCache>();
builder.Services.AddSingleton(builder.Configuration.GetSection("LayerLens:Contexts").Get<ContextLimits>() ?? new ContextLimits());
builder.Services.AddSingleton(new BuilderProbe(MeasurementSettings.From(builder.Configuration)));
builder.Services.AddScoped<MeasurementGate>();
builder.Services.AddLayerLensTenancy(builder.Configuration);
builder.Services.AddLayerLensAntiforgery(settings.RequireHttpsCookies);
builder.Services.AddLayerLensRateLimits(settings);
builder.Services.AddSingleton<PublicLinks>();
builder.Services.AddTransient<WebhookDispatcher>();
builder.Services.AddTransient<WebhookDeliveryJob>();
builder.Services.AddScoped<WebhookService>();
builder.Services.AddScoped<LayerLens.Web.Workspaces.MemberService>();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();

// Measuring is off unless enabled; enabled without a working sandbox it refuses (never builds unsandboxed).
var measurementProbe = app.Services.GetRequiredService<BuilderProbe>();
if (measurementProbe.Settings.Enabled && !measurementProbe.Available)
{
    app.Logger.LogError("LayerLens:Measurement:Enabled is true but the build sandbox cannot be set up, so measure requests are refused: {Problem}", measurementProbe.SandboxProblem);
}

await using (var scope = app.Services.CreateAsyncScope())
{
    // Apply this provider's migrations before anything queries the database.
    await using (var db = scope.ServiceProvider.GetRequiredService<SystemDbContextFactory>().CreateDbContext())
    {
        await db.Database.MigrateAsync();
        // Before anything protects or unprotects: keys an older install kept in its data directory join the shared ring.
        // Only processes that serve the web import (as with bootstrap below): workers that shared an old keys/ directory
        // would otherwise race the web node and add the same key twice, which breaks the ring. Several web nodes
        // starting together on one old keys/ directory still can: upgrade with one web node first (docs/deployment.md).
        if (settings.Role.ServesWeb())
        {
            await LegacyKeyImport.ImportAsync(db, SharedKeyRing.LegacyDirectory(settings.DataDirectory), app.Logger);
        }
    }
    // Unattended start: configured workspaces, their admins and keys, created when missing — by the processes that
    // serve the web, so a worker starting at the same time never races them for the same rows.
    var provisioning = scope.ServiceProvider.GetRequiredService<WorkspaceProvisioning>();
    var bootstrap = settings.Role.ServesWeb() ? builder.Configuration.GetSection("LayerLens:Bootstrap:Workspaces").Get<BootstrapWorkspace[]>() : null;
    foreach (var workspace in bootstrap ?? [])
    {
        await provisioning.EnsureAsync(workspace);
    }
}

if (!settings.Role.ServesWeb())
{
    await app.RunWorkerAsync();
    return 0;
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

// Behind a reverse proxy on this machine the client's address is the one the proxy appended to X-Forwarded-For
// (the last entry; anything the client sent itself sits before it and is ignored), so the proxy does not make
// every request local. Trusted only from loopback peers (the framework's default known proxies, 127.0.0.0/8 and
// ::1): a client that connects directly cannot set it.
// Secure-only cookies behind a TLS-terminating proxy also trust its X-Forwarded-Proto, so requests it forwarded
// count as HTTPS; antiforgery refuses Secure-only cookies on plain HTTP.
var forwarded = new ForwardedHeadersOptions
{
    ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor
        | (settings.RequireHttpsCookies ? Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto : 0),
    ForwardLimit = 1,
};
app.UseForwardedHeaders(forwarded);
app.UseHttpsRequirement(settings.RequireHttpsCookies);

app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAuthentication();
app.UseWorkspaceScope();
app.UseScopeDenials();
app.UseApiAntiforgery();
app.UseRateLimiter();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapAccounts();
app.MapWebhooksApi();
app.MapApiKeysApi();
app.MapInvitationsApi();
app.MapRegistryHostsApi();
app.MapProjectsApi();
app.MapRegistryHooks();
app.MapAuditApi();
app.MapLayerLensHealth();
app.MapLayerLensMetrics();
app.MapOpenApi();
app.MapAnalysesApi();
app.MapRebuildApi();
app.UseHangfireDashboard("/hangfire", new DashboardOptions
{
    // Administrators only (see the filter); nobody else sees or touches another workspace's jobs.
    Authorization = [],
    AsyncAuthorization = [new DashboardAccessFilter(settings.AllowRemoteJobDashboard)],
    DashboardTitle = "LayerLens jobs",
});
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

/// <summary>Entry point type, visible to tests that host the app.</summary>
public partial class Program;
