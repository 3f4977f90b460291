using Hangfire;
using LayerLens.Web.Analyses;
using LayerLens.Web.Api;
using LayerLens.Web.BuildContexts;
using LayerLens.Web.Reviews;
using Microsoft.AspNetCore.DataProtection;
using LayerLens.Data;
using LayerLens.Web.Components;
using LayerLens.Web.Configuration;
using LayerLens.Web.Health;
using LayerLens.Web.Jobs;
using LayerLens.Web.Security;
using Microsoft.EntityFrameworkCore;
using MudBlazor.Services;

var builder = WebApplication.CreateBuilder(args);
// Serve package assets (MudBlazor) from the build output too, so `dotnet LayerLens.Web.dll` works in any environment.
builder.WebHost.UseStaticWebAssets();

var settings = ResolvedSettings.From(builder.Configuration, builder.Environment);
builder.Services.AddSingleton(settings);
builder.Services.AddLayerLensData(settings.DatabaseProvider, settings.DatabaseConnectionString);
builder.Services.AddLayerLensJobs(settings);
builder.Services.AddLayerLensHealthChecks();
builder.Services.AddMudServices();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();
builder.Services.AddDataProtection()
    .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(settings.DataDirectory, "keys")))
    .SetApplicationName("LayerLens");
builder.Services.AddSingleton(new NetworkTargetGuard(settings));
builder.Services.AddSingleton<AnalysisIntake>();
builder.Services.AddSingleton(builder.Configuration.GetSection("LayerLens:Contexts").Get<ContextLimits>() ?? new ContextLimits());
builder.Services.AddSingleton<BuilderProbe>();
builder.Services.AddRazorComponents().AddInteractiveServerComponents();

var app = builder.Build();

await using (var scope = app.Services.CreateAsyncScope())
{
    // Apply this provider's migrations before anything queries the database.
    await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.MigrateAsync();
}

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
}

app.UseStatusCodePagesWithReExecute("/not-found");
app.UseAntiforgery();
app.MapStaticAssets();
app.MapLayerLensHealth();
app.MapOpenApi();
app.MapAnalysesApi();
app.UseHangfireDashboard("/hangfire", new DashboardOptions
{
    Authorization = [new DashboardAccessFilter(settings.AllowRemoteJobDashboard)],
    DashboardTitle = "LayerLens jobs",
});
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();

/// <summary>Entry point type, visible to tests that host the app.</summary>
public partial class Program;
