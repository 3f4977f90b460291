using System.Reflection;
using System.Security.Claims;
using Hangfire;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Analyses;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Analyzer.BuildContexts.Archives;
using LayerLens.Web.Configuration;
using LayerLens.Web.Invitations;
using LayerLens.Web.Jobs;
using LayerLens.Web.Limits;
using LayerLens.Web.RegistryHooks;
using LayerLens.Web.Reviews;
using LayerLens.Web.Security;
using LayerLens.Web.Storage;
using LayerLens.Web.Tenancy;
using LayerLens.Web.Tests.Jobs;
using LayerLens.Web.Verdicts;
using LayerLens.Web.Webhooks;
using LayerLens.Web.Workspaces;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// Every public method of every service a page or an API endpoint calls, called as an attacker would from an open tab:
/// the tab was opened as an owner (the circuit's context carries every scope), then the database changed — the user is
/// now a viewer, or no longer a member. Each method must re-read the membership and refuse with
/// <see cref="ScopeDeniedException"/> (a viewer may still read what analyses:read allows). An owner's call is never
/// refused, so a refusal is the check's, not a broken setup's. A method added to one of these services without an
/// entry here (or a reasoned exemption) fails <see cref="Every_public_service_method_is_listed_with_its_scope_or_a_reason"/>.
/// </summary>
public sealed class ServiceMethodAuthorizationTests : MudComponentTest, IAsyncLifetime
{
    private static readonly Type[] Services =
    [
        typeof(AnalysisIntake), typeof(AnalysisQueue), typeof(ApiKeyService), typeof(WebhookService), typeof(MemberService),
        typeof(InvitationService), typeof(RegistryHostMappings), typeof(ProjectPolicies),
    ];

    private static readonly byte[] Dockerfile = "FROM scratch\nCOPY a /a\n"u8.ToArray();

    /// <summary>Each checked method: the scope it needs and a call with harmless arguments.</summary>
    private static readonly Dictionary<string, (string Scope, Func<IServiceProvider, Task> Call)> Checked = new()
    {
        ["AnalysisIntake.FromDockerfileAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisIntake>().FromDockerfileAsync(new DockerfileSubmission(Dockerfile, "Dockerfile", null, null, null, null, false, null), default)),
        ["AnalysisIntake.FromUploadAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisIntake>().FromUploadAsync(new MemoryStream([1, 2, 3]), 1024, null, null, CiRequest.None, default)),
        ["AnalysisIntake.FromStoredUploadAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisIntake>().FromStoredUploadAsync("sha256:" + new string('0', 64), null, null, CiRequest.None, default)),
        ["AnalysisIntake.FromRegistryAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisIntake>().FromRegistryAsync(new RegistryAnalysis("127.0.0.1:5000/app:1", null, null, null, null, null), default)),
        ["AnalysisQueue.CancelAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisQueue>().CancelAsync(Guid.NewGuid())),
        ["AnalysisQueue.RetryAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisQueue>().RetryAsync(Guid.NewGuid())),
        ["AnalysisQueue.DeleteAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<AnalysisQueue>().DeleteAsync(Guid.NewGuid())),
        ["ApiKeyService.CreateAsync"] = (ApiScopes.KeysManage, s => s.Get<ApiKeyService>().CreateAsync("k", [ApiScopes.AnalysesRead])),
        ["ApiKeyService.ListAsync"] = (ApiScopes.KeysManage, s => s.Get<ApiKeyService>().ListAsync()),
        ["ApiKeyService.RevokeAsync"] = (ApiScopes.KeysManage, s => s.Get<ApiKeyService>().RevokeAsync(Guid.NewGuid())),
        ["WebhookService.CreateAsync"] = (ApiScopes.WebhooksManage, s => s.Get<WebhookService>().CreateAsync("http://127.0.0.1:9/hook", ["analysis.failed"], null, default)),
        ["WebhookService.ListAsync"] = (ApiScopes.WebhooksManage, s => s.Get<WebhookService>().ListAsync(default)),
        ["WebhookService.DeleteAsync"] = (ApiScopes.WebhooksManage, s => s.Get<WebhookService>().DeleteAsync(Guid.NewGuid(), default)),
        ["WebhookService.DeliveriesAsync"] = (ApiScopes.WebhooksManage, s => s.Get<WebhookService>().DeliveriesAsync(Guid.NewGuid(), 10, default)),
        ["WebhookService.RedeliverAsync"] = (ApiScopes.WebhooksManage, s => s.Get<WebhookService>().RedeliverAsync(Guid.NewGuid(), default)),
        ["MemberService.ListAsync"] = (ApiScopes.MembersManage, s => s.Get<MemberService>().ListAsync()),
        ["MemberService.ChangeRoleAsync"] = (ApiScopes.MembersManage, s => s.Get<MemberService>().ChangeRoleAsync("nobody", WorkspaceRole.Viewer)),
        ["MemberService.RemoveAsync"] = (ApiScopes.MembersManage, s => s.Get<MemberService>().RemoveAsync("nobody")),
        ["InvitationService.CreateAsync"] = (ApiScopes.MembersManage, s => s.Get<InvitationService>().CreateAsync("invitee@layerlens.test", WorkspaceRole.Viewer)),
        ["InvitationService.ListAsync"] = (ApiScopes.MembersManage, s => s.Get<InvitationService>().ListAsync()),
        ["InvitationService.RevokeAsync"] = (ApiScopes.MembersManage, s => s.Get<InvitationService>().RevokeAsync(Guid.NewGuid())),
        ["RegistryHostMappings.ListAsync"] = (ApiScopes.WebhooksManage, s => s.Get<RegistryHostMappings>().ListAsync()),
        ["RegistryHostMappings.LoadResolverAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<RegistryHostMappings>().LoadResolverAsync()),
        ["RegistryHostMappings.SetAsync"] = (ApiScopes.WebhooksManage, s => s.Get<RegistryHostMappings>().SetAsync("registry:5000", "registry.example.com")),
        ["RegistryHostMappings.RemoveAsync"] = (ApiScopes.WebhooksManage, s => s.Get<RegistryHostMappings>().RemoveAsync(Guid.NewGuid())),
        ["ProjectPolicies.GetAsync"] = (ApiScopes.AnalysesRead, s => s.Get<ProjectPolicies>().GetAsync("p")),
        ["ProjectPolicies.SetAsync"] = (ApiScopes.AnalysesWrite, s => s.Get<ProjectPolicies>().SetAsync("p", "")),
    };

    /// <summary>Public methods that take no membership check, and why that is right.</summary>
    private static readonly Dictionary<string, string> Exempt = new()
    {
        ["AnalysisQueue.Enqueue"] = "server plumbing after a checked start or at recovery: it queues a job id, and the job only claims a row that is Queued",
        ["InvitationService.FindOpenAsync"] = "the invitee's preview: possession of the one-time token is the right, before any membership exists",
        ["InvitationService.AcceptAsync"] = "joining through the one-time token bound to the invited address; the caller is not a member yet",
    };

    private readonly WorkspaceContext _circuit = new();
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-authz-methods-").FullName;
    private readonly string _user;

    public ServiceMethodAuthorizationTests()
    {
        using (var db = System.CreateDbContext())
        {
            var user = new AppUser { UserName = "tab@layerlens.test", Email = "tab@layerlens.test" };
            db.Users.Add(user);
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = Database.WorkspaceId, UserId = user.Id, Role = WorkspaceRole.Owner });
            db.SaveChanges();
            _user = user.Id;
        }
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, Database.ConnectionString, JobStorageProvider.Embedded, "", false)
        {
            AllowPrivateNetworkTargets = true, // the registry pull and webhook name 127.0.0.1: only the scope check may refuse them
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
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new InvitationSettings());
        services.AddScoped<AuditLog>();
        services.AddScoped<ApiKeyService>();
        services.AddScoped<WebhookService>();
        services.AddScoped<MemberService>();
        services.AddScoped<InvitationService>();
        services.AddScoped<RegistryHostMappings>();
        services.AddScoped<ProjectPolicies>();
        services.AddScoped<AppDbContext>(_ => Database.Factory.CreateDbContext());
        services.AddLogging();
        services.AddIdentityCore<AppUser>().AddEntityFrameworkStores<AppDbContext>();
    }

    private SystemDbContextFactory System => Database.Provider.GetRequiredService<SystemDbContextFactory>();

    public static TheoryData<string> CheckedMethods() => [.. Checked.Keys.Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_public_service_method_is_listed_with_its_scope_or_a_reason()
    {
        var declared = Services
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName)
                .Select(m => $"{t.Name}.{m.Name}"))
            .Where(name => !name.EndsWith(".ToString", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        var unlisted = declared.Where(m => !Checked.ContainsKey(m) && !Exempt.ContainsKey(m)).Order(StringComparer.Ordinal).ToList();
        var stale = Checked.Keys.Concat(Exempt.Keys).Where(m => !declared.Contains(m)).ToList();

        Assert.True(unlisted.Count == 0, "service methods without an authorization entry (add a check and a row, or a reasoned exemption): " + string.Join(", ", unlisted));
        Assert.Empty(stale);
    }

    [Theory]
    [MemberData(nameof(CheckedMethods))]
    public async Task A_tab_opened_as_owner_is_refused_once_the_user_is_a_viewer(string method)
    {
        var (scope, call) = Checked[method];
        OpenTabAsOwner();
        await SetRoleAsync(WorkspaceRole.Viewer);

        var refusal = await RefusalAsync(call);

        if (ApiScopes.ForRole(WorkspaceRole.Viewer).Contains(scope))
        {
            Assert.Null(refusal);
        }
        else
        {
            Assert.NotNull(refusal);
            Assert.Contains(scope, refusal.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(CheckedMethods))]
    public async Task A_tab_opened_as_owner_is_refused_once_the_user_was_removed(string method)
    {
        OpenTabAsOwner();
        await SetRoleAsync(null);

        var refusal = await RefusalAsync(Checked[method].Call);

        Assert.NotNull(refusal);
        Assert.Contains("no longer a member", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(CheckedMethods))]
    public async Task The_owner_is_not_refused(string method)
    {
        OpenTabAsOwner();

        Assert.Null(await RefusalAsync(Checked[method].Call));
    }

    /// <summary>The scope refusal the call ended with, or null; other outcomes (not found, invalid input) are not refusals.</summary>
    private async Task<ScopeDeniedException?> RefusalAsync(Func<IServiceProvider, Task> call)
    {
        using var scope = Context.Services.CreateScope();
        try
        {
            await call(scope.ServiceProvider);
            return null;
        }
        catch (ScopeDeniedException ex)
        {
            return ex;
        }
        catch (Exception ex) when (ex is IntakeException or ArgumentException or QuotaExceededException or BlobTooLargeException or InvalidOperationException)
        {
            return null;
        }
    }

    private void OpenTabAsOwner()
    {
        var identity = new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, _user),
                new Claim(LayerLensClaims.Workspace, Database.WorkspaceId.ToString()),
                new Claim(LayerLensClaims.Actor, "tab@layerlens.test"),
            ],
            "Identity.Application");
        identity.AddClaims(ApiScopes.ForRole(WorkspaceRole.Owner).Select(s => new Claim(LayerLensClaims.Scope, s)));
        _circuit.SetFrom(new ClaimsPrincipal(identity));
    }

    private async Task SetRoleAsync(WorkspaceRole? role)
    {
        await using var db = System.CreateDbContext();
        var rows = db.WorkspaceMembers.Where(m => m.UserId == _user);
        if (role is { } now)
        {
            await rows.ExecuteUpdateAsync(s => s.SetProperty(m => m.Role, now));
        }
        else
        {
            await rows.ExecuteDeleteAsync();
        }
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

internal static class ServiceProviderExtensions
{
    public static T Get<T>(this IServiceProvider services)
        where T : notnull => services.GetRequiredService<T>();
}
