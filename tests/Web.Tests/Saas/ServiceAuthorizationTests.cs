using System.Security.Claims;
using Bunit;
using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Analyses;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Web.Components.Pages;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.Reviews;
using LayerLens.Web.Security;
using LayerLens.Web.Storage;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Tests.Jobs;
using LayerLens.Web.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// Page actions go through services, and the services check the scope themselves: a viewer's cancel, retry, delete
/// and registry pull are refused however they are reached, and a signed-in user's role is re-read on every action,
/// so a member demoted or removed while their tab (circuit) is open loses the right at their next click. The circuit
/// is simulated as the app builds it: one <see cref="WorkspaceContext"/> set once from the principal of the moment
/// the tab opened, then the membership changes in the database between two actions on that same context.
/// </summary>
public sealed class ServiceAuthorizationTests : MudComponentTest, IAsyncLifetime
{
    private readonly WorkspaceContext _circuit = new();
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-authz-").FullName;
    private readonly string _viewer;
    private readonly string _member;
    private readonly string _owner;
    private readonly string _stranger;

    public ServiceAuthorizationTests()
    {
        using (var db = System.CreateDbContext())
        {
            AppUser User(string email)
            {
                var user = new AppUser { UserName = email, Email = email };
                db.Users.Add(user);
                return user;
            }
            var viewer = User("viewer@layerlens.test");
            var member = User("member@layerlens.test");
            var owner = User("owner@layerlens.test");
            var stranger = User("stranger@layerlens.test");
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = Database.WorkspaceId, UserId = viewer.Id, Role = WorkspaceRole.Viewer });
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = Database.WorkspaceId, UserId = member.Id, Role = WorkspaceRole.Member });
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = Database.WorkspaceId, UserId = owner.Id, Role = WorkspaceRole.Owner });
            db.SaveChanges();
            (_viewer, _member, _owner, _stranger) = (viewer.Id, member.Id, owner.Id, stranger.Id);
        }
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, Database.ConnectionString, JobStorageProvider.Embedded, "", false)
        {
            // The registry pull below names 127.0.0.1: without the scope check it would be queued, not refused by the guard.
            AllowPrivateNetworkTargets = true,
        };
        var layout = new DataLayout(settings);
        var services = Context.Services;
        services.AddSingleton(settings);
        services.AddSingleton(layout);
        services.AddSingleton(_circuit);
        services.AddSingleton(System);
        services.AddSingleton<WorkspaceAccess>();
        services.AddSingleton<ReportCache>();
        services.AddSingleton<LayerLens.Web.Storage.IArtifactStore, LayerLens.Web.Storage.LocalArtifactStore>();
        services.AddSingleton(new AnalysisNotifier { FallbackPollInterval = TimeSpan.FromHours(1) });
        services.AddSingleton<IBackgroundJobClient>(new RecordingJobClient());
        services.AddSingleton<JobCancellations>();
        services.AddSingleton<AnalysisQueue>();
        services.AddSingleton(new BlobStore(_data));
        services.AddSingleton<IDataProtectionProvider>(new EphemeralDataProtectionProvider());
        services.AddSingleton(new ContextLimits());
        services.AddSingleton(new BuilderProbe(new MeasurementSettings()));
        services.AddSingleton<MeasurementGate>();
        services.AddSingleton(new NetworkTargetGuard(settings));
        services.AddSingleton<WorkspaceQuotas>();
        services.AddSingleton<AnalysisIntake>();
        services.AddScoped<AuditLog>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<MemberService>();
        services.AddScoped<AppDbContext>(_ => Database.Factory.CreateDbContext());
        services.AddLogging();
        services.AddIdentityCore<AppUser>().AddEntityFrameworkStores<AppDbContext>();
    }

    private SystemDbContextFactory System => Database.Provider.GetRequiredService<SystemDbContextFactory>();

    /// <summary>Opens the "tab": the circuit's context from the principal the user had then, with that role's scopes.</summary>
    private void OpenTab(string userId, WorkspaceRole roleThen)
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, userId),
                new Claim(LayerLensClaims.Workspace, Database.WorkspaceId.ToString()),
                new Claim(LayerLensClaims.Actor, userId),
            ],
            "Identity.Application");
        identity.AddClaims(ApiScopes.ForRole(roleThen).Select(s => new Claim(LayerLensClaims.Scope, s)));
        _circuit.SetFrom(new ClaimsPrincipal(identity));
    }

    private async Task SetRoleAsync(string userId, WorkspaceRole? role)
    {
        await using var db = System.CreateDbContext();
        if (role is { } now)
        {
            await db.WorkspaceMembers.Where(m => m.UserId == userId).ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, now));
        }
        else
        {
            await db.WorkspaceMembers.Where(m => m.UserId == userId).ExecuteDeleteAsync();
        }
    }

    private async Task<Guid> AddAnalysisAsync(AnalysisStatus status)
    {
        await using var db = await Database.Factory.CreateDbContextAsync();
        var analysis = new Analysis
        {
            Kind = AnalysisKind.Image,
            SourceKind = SourceKind.Upload,
            SourceReference = "app.tar",
            Status = status,
            ProgressPhase = status.ToString().ToLowerInvariant(),
        };
        db.Analyses.Add(analysis);
        await db.SaveChangesAsync();
        return analysis.Id;
    }

    private async Task<AnalysisStatus?> StatusAsync(Guid id)
    {
        await using var db = await Database.Factory.CreateDbContextAsync();
        return await db.Analyses.Where(a => a.Id == id).Select(a => (AnalysisStatus?)a.Status).SingleOrDefaultAsync();
    }

    private T Service<T>()
        where T : notnull => Context.Services.GetRequiredService<T>();

    [Fact]
    public async Task A_viewers_cancel_retry_and_delete_are_refused_by_the_queue_itself()
    {
        var queued = await AddAnalysisAsync(AnalysisStatus.Queued);
        var failed = await AddAnalysisAsync(AnalysisStatus.Failed);
        OpenTab(_viewer, WorkspaceRole.Viewer);
        var queue = Service<AnalysisQueue>();

        await Assert.ThrowsAsync<ScopeDeniedException>(() => queue.CancelAsync(queued));
        await Assert.ThrowsAsync<ScopeDeniedException>(() => queue.RetryAsync(failed));
        await Assert.ThrowsAsync<ScopeDeniedException>(() => queue.DeleteAsync(queued));

        Assert.Equal(AnalysisStatus.Queued, await StatusAsync(queued));
        Assert.Equal(AnalysisStatus.Failed, await StatusAsync(failed));
        Assert.Empty(((RecordingJobClient)Service<IBackgroundJobClient>()).Enqueued);
    }

    [Fact]
    public async Task A_viewers_registry_pull_is_refused_by_intake_itself()
    {
        OpenTab(_viewer, WorkspaceRole.Viewer);

        var refused = await Assert.ThrowsAsync<ScopeDeniedException>(() =>
            Service<AnalysisIntake>().FromRegistryAsync(new RegistryAnalysis("127.0.0.1:5000/app:1", null, null, null, null, null), CancellationToken.None));

        Assert.Contains(ApiScopes.AnalysesWrite, refused.Message, StringComparison.Ordinal);
        await using var db = await Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.Analyses.CountAsync());
    }

    [Fact]
    public async Task A_member_demoted_to_viewer_while_the_analysis_page_is_open_cannot_cancel_from_it()
    {
        var id = await AddAnalysisAsync(AnalysisStatus.Queued);
        OpenTab(_member, WorkspaceRole.Member);
        var page = Context.Render<AnalysisPage>(p => p.Add(x => x.Id, id));
        var cancel = page.WaitForElement("[data-testid=analysis-cancel]");

        await SetRoleAsync(_member, WorkspaceRole.Viewer);
        await cancel.ClickAsync(new());

        Assert.Equal(AnalysisStatus.Queued, await StatusAsync(id));
        Assert.Contains(Service<ISnackbar>().ShownSnackbars, s => s.Message != null && s.Message.Contains(ApiScopes.AnalysesWrite, StringComparison.Ordinal));
        // The page follows the role it now has: the button is gone.
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=analysis-cancel]")));
    }

    [Fact]
    public async Task A_member_removed_while_the_tab_is_open_cannot_retry_from_it()
    {
        var id = await AddAnalysisAsync(AnalysisStatus.Failed);
        OpenTab(_member, WorkspaceRole.Member);
        var page = Context.Render<AnalysisPage>(p => p.Add(x => x.Id, id));
        var retry = page.WaitForElement("[data-testid=analysis-retry]");

        await SetRoleAsync(_member, null);
        await retry.ClickAsync(new());

        Assert.Equal(AnalysisStatus.Failed, await StatusAsync(id));
        Assert.Contains(Service<ISnackbar>().ShownSnackbars, s => s.Message != null && s.Message.Contains("no longer a member", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_viewer_is_not_offered_cancel_on_the_analysis_page()
    {
        var id = await AddAnalysisAsync(AnalysisStatus.Queued);
        OpenTab(_viewer, WorkspaceRole.Viewer);
        var page = Context.Render<AnalysisPage>(p => p.Add(x => x.Id, id));
        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=analysis-status]")));
        Assert.Empty(page.FindAll("[data-testid=analysis-cancel]"));
    }

    [Fact]
    public async Task An_owner_demoted_between_two_calls_on_the_same_circuit_cannot_create_the_second_api_key()
    {
        OpenTab(_owner, WorkspaceRole.Owner);
        var keys = Service<ApiKeyService>();
        await keys.CreateAsync("first", [ApiScopes.AnalysesRead]);

        await SetRoleAsync(_owner, WorkspaceRole.Member);

        await Assert.ThrowsAsync<ScopeDeniedException>(() => keys.CreateAsync("second", [ApiScopes.AnalysesRead]));
        await using var db = await Database.Factory.CreateDbContextAsync();
        Assert.Equal(["first"], await db.ApiKeys.Select(k => k.Name).ToListAsync());
    }

    [Fact]
    public async Task A_demoted_owners_open_api_keys_page_creates_no_key()
    {
        OpenTab(_owner, WorkspaceRole.Owner);
        var page = Context.Render<LayerLens.Web.Components.Pages.Workspace.ApiKeys>();
        var create = page.WaitForElement("[data-testid=create-key]");

        await SetRoleAsync(_owner, WorkspaceRole.Viewer);
        await create.ClickAsync(new());

        await using var db = await Database.Factory.CreateDbContextAsync();
        Assert.Equal(0, await db.ApiKeys.CountAsync());
        Assert.Contains(Service<ISnackbar>().ShownSnackbars, s => s.Message != null && s.Message.Contains(ApiScopes.KeysManage, StringComparison.Ordinal));
        Assert.DoesNotContain("llk_", page.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_owner_cannot_make_an_account_a_member_by_its_address_only_change_existing_members()
    {
        OpenTab(_owner, WorkspaceRole.Owner);
        var members = Service<MemberService>();

        // The stranger registered an address the owner might type; that alone must not make them a member.
        Assert.NotNull(await members.ChangeRoleAsync(_stranger, WorkspaceRole.Owner));
        Assert.Null(await members.ChangeRoleAsync(_viewer, WorkspaceRole.Member));

        await using var db = System.CreateDbContext();
        Assert.False(await db.WorkspaceMembers.AnyAsync(m => m.UserId == _stranger));
        Assert.Equal(WorkspaceRole.Member, await db.WorkspaceMembers.Where(m => m.UserId == _viewer).Select(m => m.Role).SingleAsync());
        Assert.DoesNotContain(typeof(MemberService).GetMethods(), m => m.GetParameters().Any(p => p.Name == "email"));
    }

    [Fact]
    public void The_members_page_offers_no_add_by_email()
    {
        OpenTab(_owner, WorkspaceRole.Owner);
        Context.Services.AddSingleton(TimeProvider.System);
        Context.Services.AddSingleton(new LayerLens.Web.Invitations.InvitationSettings());
        Context.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, Components.Pages.NoServer>();
        Context.Services.AddSingleton<LayerLens.Web.Webhooks.PublicLinks>();
        Context.Services.AddScoped<LayerLens.Web.Invitations.InvitationService>();

        var page = Context.Render<LayerLens.Web.Components.Pages.Workspace.Members>();

        page.WaitForAssertion(() => Assert.Contains("owner@layerlens.test", page.Markup, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("[data-testid=member-email]"));
        Assert.Empty(page.FindAll("[data-testid=member-add]"));
        Assert.NotNull(page.Find("[data-testid=invite-create]"));
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
