using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Claims;
using Bunit;
using LayerLens.Data;
using LayerLens.Data.Model;
using LayerLens.Data.Model.Access;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Web.Components.Layout;
using LayerLens.Web.Components.Pages;
using LayerLens.Web.Tenancy;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LayerLens.Web.Tests.Tenancy;

/// <summary>
/// A tab opened by a member, then the member removed or demoted in the database while the tab stays open: on the
/// tab's next UI event its pages must read with the rights the database holds now, not the ones the circuit opened
/// with. The pages render under the layout's <see cref="WorkspaceAccessGate"/> with the circuit's real
/// <see cref="WorkspaceContext"/>, data factory and <see cref="WorkspaceCircuitHandler"/>; the event goes through the
/// handler's inbound-activity pipeline as the circuit host sends every event, navigation and JS callback. (A live
/// SignalR circuit needs a browser; the pipeline and the state it changes are the real ones.)
/// </summary>
public sealed class OpenTabMembershipTests : MudComponentTest
{
    private const string OwnAnalysis = "team-a.example/app:1";
    private const string OtherAnalysis = "team-b.example/app:2";
    private const string OwnKey = "team-a-ci-key";

    private readonly ITestOutputHelper _output;
    private readonly SystemDbContextFactory _system;
    private readonly Guid _other = Guid.NewGuid();
    private readonly AppUser _user = new() { UserName = "member@layerlens.test", Email = "member@layerlens.test" };
    private readonly WorkspaceContext _workspace = new();
    private readonly WorkspaceCircuitHandler _handler;

    public OpenTabMembershipTests(ITestOutputHelper output)
    {
        _output = output;
        _system = Database.Provider.GetRequiredService<SystemDbContextFactory>();
        using (var db = _system.CreateDbContext())
        {
            db.Workspaces.Add(new Workspace { Id = _other, Name = "team-b" });
            db.Users.Add(_user);
            db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = Database.WorkspaceId, UserId = _user.Id, Role = WorkspaceRole.Owner, JoinedAtUtc = DateTime.UtcNow.AddDays(-2) });
            db.Analyses.Add(new Analysis { WorkspaceId = Database.WorkspaceId, SourceReference = OwnAnalysis, Status = AnalysisStatus.Succeeded });
            db.Analyses.Add(new Analysis { WorkspaceId = _other, SourceReference = OtherAnalysis, Status = AnalysisStatus.Succeeded });
            db.ApiKeys.Add(new ApiKey { WorkspaceId = Database.WorkspaceId, Name = OwnKey, Prefix = "llk_a…", Hash = Guid.NewGuid().ToString("N"), Scopes = "analyses:read" });
            db.SaveChanges();
        }

        // The tab opened as the owner of the first workspace: the principal the workspace middleware built.
        var principal = Memberships.WithWorkspace(
            new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, _user.Id), new Claim(ClaimTypes.Name, _user.Email!)], "test")),
            new Memberships.Choice(Database.WorkspaceId, "test", WorkspaceRole.Owner));
        var authentication = new FixedAuthentication(principal);
        _handler = new WorkspaceCircuitHandler(authentication, _workspace, new Memberships(_system));

        var services = Context.Services;
        services.AddSingleton(_system);
        services.AddSingleton(_workspace);
        services.AddSingleton<IDbContextFactory<AppDbContext>>(new WorkspaceDbContextFactory(_system, _workspace));
        services.AddSingleton(TimeProvider.System);
        services.AddScoped<AuditLog>();
        services.AddScoped<WorkspaceAccess>();
        services.AddScoped<ApiKeyService>();
    }

    /// <summary>The circuit opens (as the circuit host does first), then the page renders under the layout's gate.</summary>
    private async Task<IRenderedComponent<WorkspaceAccessGate>> OpenAsync<TPage>()
        where TPage : IComponent
    {
        await _handler.OnCircuitOpenedAsync(null!, default);
        return Context.Render<WorkspaceAccessGate>(p => p.AddChildContent<TPage>());
    }

    /// <summary>One UI event as the circuit host hands it over: through the handlers' inbound pipeline, then dispatched.</summary>
    private Task EventAsync(Func<Task> dispatch)
    {
        var pipeline = _handler.CreateInboundActivityHandler(_ => dispatch());
        // The context only carries the circuit, which the handler does not use; its constructor is internal.
        return pipeline((CircuitInboundActivityContext)RuntimeHelpers.GetUninitializedObject(typeof(CircuitInboundActivityContext)));
    }

    private Task NavigateAsync(IRenderedComponent<WorkspaceAccessGate> page) =>
        EventAsync(() => page.InvokeAsync(() => Context.Services.GetRequiredService<NavigationManager>().NavigateTo("/")));

    private void Change(Action<AppDbContext> change)
    {
        using var db = _system.CreateDbContext();
        change(db);
        db.SaveChanges();
    }

    private void RemoveFromFirstWorkspace() => Change(db =>
        db.WorkspaceMembers.Remove(db.WorkspaceMembers.Single(m => m.UserId == _user.Id && m.WorkspaceId == Database.WorkspaceId)));

    [Fact]
    public async Task A_removed_member_sees_no_analyses_of_the_workspace_on_the_next_event_and_is_told_why()
    {
        var page = await OpenAsync<Dashboard>();
        page.WaitForAssertion(() => Assert.Contains(OwnAnalysis, page.Markup, StringComparison.Ordinal));

        RemoveFromFirstWorkspace();
        await NavigateAsync(page);

        page.WaitForAssertion(() => Assert.NotNull(page.Find("[data-testid=workspace-access-lost]")));
        Assert.DoesNotContain(OwnAnalysis, page.Markup, StringComparison.Ordinal);
        Assert.Null(_workspace.WorkspaceId);
        Assert.False(_workspace.Has(ApiScopes.AnalysesRead));
        // Whatever page reads next through the circuit's factory matches nothing.
        await using var db = await Context.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync();
        Assert.Empty(await db.Analyses.ToListAsync());
    }

    [Fact]
    public async Task A_member_removed_from_one_of_two_workspaces_sees_the_remaining_one_on_the_next_event()
    {
        Change(db => db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = _other, UserId = _user.Id, Role = WorkspaceRole.Viewer, JoinedAtUtc = DateTime.UtcNow.AddDays(-1) }));
        var page = await OpenAsync<Dashboard>();
        page.WaitForAssertion(() => Assert.Contains(OwnAnalysis, page.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(OtherAnalysis, page.Markup, StringComparison.Ordinal);

        RemoveFromFirstWorkspace();
        await NavigateAsync(page);

        page.WaitForAssertion(() => Assert.Contains(OtherAnalysis, page.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(OwnAnalysis, page.Markup, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=workspace-moved]"));
        Assert.Equal(_other, _workspace.WorkspaceId);
        Assert.False(_workspace.Has(ApiScopes.AnalysesWrite));
    }

    [Fact]
    public async Task A_demoted_owner_no_longer_sees_the_api_keys_on_the_next_event()
    {
        var page = await OpenAsync<LayerLens.Web.Components.Pages.Workspace.ApiKeys>();
        page.WaitForAssertion(() => Assert.Contains(OwnKey, page.Markup, StringComparison.Ordinal));
        Assert.NotNull(page.Find("[data-testid=create-key]"));

        Change(db => db.WorkspaceMembers.Single(m => m.UserId == _user.Id).Role = WorkspaceRole.Viewer);
        // Any inbound activity: here a JS callback that changes nothing on the page itself.
        await EventAsync(() => Task.CompletedTask);

        page.WaitForAssertion(() => Assert.Contains("Only workspace owners manage API keys.", page.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(OwnKey, page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-testid=create-key]"));
        Assert.Equal(Database.WorkspaceId, _workspace.WorkspaceId);
    }

    [Fact]
    public async Task An_unchanged_membership_leaves_the_page_as_it_is()
    {
        var page = await OpenAsync<Dashboard>();
        page.WaitForAssertion(() => Assert.Contains(OwnAnalysis, page.Markup, StringComparison.Ordinal));
        var changes = 0;
        _workspace.Changed += () => changes++;

        const int Events = 200;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < Events; i++)
        {
            await EventAsync(() => Task.CompletedTask);
        }
        clock.Stop();

        Assert.Equal(0, changes);
        Assert.Empty(page.FindAll("[data-testid=workspace-moved]"));
        Assert.Contains(OwnAnalysis, page.Markup, StringComparison.Ordinal);
        _output.WriteLine($"membership re-read: {clock.Elapsed.TotalMilliseconds / Events:F3} ms per event (SQLite, {Events} events)");
    }

    private sealed class FixedAuthentication(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
