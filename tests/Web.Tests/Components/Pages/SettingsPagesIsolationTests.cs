using Bunit;
using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Model.Access;
using LayerLens.Data.Model.Audit;
using LayerLens.Data.Model.RegistryHooks;
using LayerLens.Data.Model.Webhooks;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Web.Components.Pages;
using LayerLens.Web.Components.Pages.Workspace;
using LayerLens.Web.Configuration;
using LayerLens.Web.Invitations;
using LayerLens.Web.RegistryHooks;
using LayerLens.Web.Security;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Webhooks;
using LayerLens.Web.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Components.Pages;

/// <summary>
/// The workspace pages (API keys, webhooks, members and audit, invitations, settings' registry hosts) of one
/// workspace's owner list that workspace's rows and nothing of another workspace's.
/// </summary>
public sealed class SettingsPagesIsolationTests : MudComponentTest
{
    private const string Foreign = "secret-team";

    public SettingsPagesIsolationTests()
    {
        var system = Database.Provider.GetRequiredService<SystemDbContextFactory>();
        var other = Guid.NewGuid();
        using (var db = system.CreateDbContext())
        {
            db.Workspaces.Add(new Workspace { Id = other, Name = Foreign });
            var stranger = new AppUser { UserName = $"{Foreign}@example.test", Email = $"{Foreign}@example.test" };
            var owner = new AppUser { UserName = "owner@layerlens.test", Email = "owner@layerlens.test" };
            db.Users.AddRange(stranger, owner);
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = other, UserId = stranger.Id, Role = WorkspaceRole.Owner });
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = Database.WorkspaceId, UserId = owner.Id, Role = WorkspaceRole.Owner });
            foreach (var (workspace, name) in new[] { (other, Foreign), (Database.WorkspaceId, "own-team") })
            {
                db.ApiKeys.Add(new ApiKey { WorkspaceId = workspace, Name = $"{name}-key", Prefix = $"llk_{name}…", Hash = Guid.NewGuid().ToString("N"), Scopes = "analyses:read" });
                db.Webhooks.Add(new Webhook { WorkspaceId = workspace, Url = $"https://{name}.example/hook", Events = "analysis.failed", ProtectedSecret = "x" });
                db.Invitations.Add(new Invitation { WorkspaceId = workspace, Email = $"{name}-invitee@example.test", TokenHash = Guid.NewGuid().ToString("N"), ExpiresAtUtc = DateTime.UtcNow.AddDays(1) });
                db.RegistryHostMappings.Add(new RegistryHostMapping { WorkspaceId = workspace, NotificationHost = $"{name}-registry:5000", PullHost = "127.0.0.1:5000" });
                db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspace, Actor = $"{name}-actor", Action = "apikey.created", Detail = $"{name}-audit" });
            }
            db.SaveChanges();
        }

        var workspaceContext = new WorkspaceContext();
        workspaceContext.Set(Database.WorkspaceId, "owner@layerlens.test", ApiScopes.All);
        var settings = new ResolvedSettings(Path.GetTempPath(), DatabaseProvider.Sqlite, "", JobStorageProvider.Embedded, "", false) { PublicBaseUrl = "https://layerlens.test" };
        var services = Context.Services;
        services.AddSingleton(settings);
        services.AddSingleton(workspaceContext);
        services.AddSingleton(system);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new InvitationSettings());
        services.AddSingleton(new NetworkTargetGuard(settings));
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddSingleton<IBackgroundJobClient, NoJobs>();
        services.AddSingleton<IServer, NoServer>();
        services.AddSingleton<PublicLinks>();
        services.AddScoped<AuditLog>();
        services.AddScoped<WorkspaceAccess>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<WebhookService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<RegistryHostMappings>();
        services.AddScoped<MemberService>();
        services.AddScoped<AppDbContext>(_ => Database.Factory.CreateDbContext());
        services.AddLogging();
        services.AddIdentityCore<AppUser>().AddEntityFrameworkStores<AppDbContext>();
    }

    private static void AssertOnlyOwn<T>(IRenderedComponent<T> page, string own)
        where T : Microsoft.AspNetCore.Components.IComponent
    {
        page.WaitForAssertion(() => Assert.Contains(own, page.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(Foreign, page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_api_keys_page_lists_only_this_workspaces_keys() => AssertOnlyOwn(Context.Render<LayerLens.Web.Components.Pages.Workspace.ApiKeys>(), "own-team-key");

    [Fact]
    public void The_webhooks_page_lists_only_this_workspaces_webhooks() => AssertOnlyOwn(Context.Render<LayerLens.Web.Components.Pages.Workspace.Webhooks>(), "https://own-team.example/hook");

    [Fact]
    public void The_members_page_shows_only_this_workspaces_members_invitations_and_audit_log()
    {
        var page = Context.Render<Members>();
        AssertOnlyOwn(page, "owner@layerlens.test");
        Assert.Contains("own-team-invitee@example.test", page.Markup, StringComparison.Ordinal);
        Assert.Contains("own-team-audit", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void The_settings_page_shows_only_this_workspaces_registry_host_mapping() => AssertOnlyOwn(Context.Render<Settings>(), "own-team-registry:5000");
}
