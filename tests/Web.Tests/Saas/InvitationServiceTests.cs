using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.Audit;
using LayerLens.Web.Invitations;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.Saas;

/// <summary>Invitation tokens against the real SQLite model: hashed at rest, one use, expiry by the clock, per workspace.</summary>
public sealed class InvitationServiceTests : IDisposable
{
    private readonly TestDatabase _database = new();
    private readonly Clock _clock = new(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly SystemDbContextFactory _system;

    public InvitationServiceTests() => _system = _database.Provider.GetRequiredService<SystemDbContextFactory>();

    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The service as the test workspace's owner would use it.</summary>
    private InvitationService Owner()
    {
        var workspace = new WorkspaceContext();
        workspace.Set(_database.WorkspaceId, "owner@layerlens.test", ApiScopes.All);
        return new InvitationService(_database.Factory, _system, workspace, new AuditLog(_database.Factory, _system, workspace),
            new InvitationSettings { ValidHours = 48 }, _clock, new WorkspaceAccess(workspace, _system));
    }

    private string AddUser(string email)
    {
        using var db = _system.CreateDbContext();
        var user = new AppUser { UserName = email, Email = email };
        db.Users.Add(user);
        db.SaveChanges();
        return user.Id;
    }

    private WorkspaceRole? RoleOf(string userId)
    {
        using var db = _system.CreateDbContext();
        return db.WorkspaceMembers.Where(m => m.UserId == userId && m.WorkspaceId == _database.WorkspaceId).Select(m => (WorkspaceRole?)m.Role).SingleOrDefault();
    }

    [Fact]
    public async Task Accepting_creates_the_membership_with_the_role_once_and_only_the_hash_is_stored()
    {
        var (invitation, token) = await Owner().CreateAsync("new@layerlens.test", WorkspaceRole.Member);
        using (var db = _system.CreateDbContext())
        {
            var stored = await db.Invitations.SingleAsync(i => i.Id == invitation.Id);
            Assert.Equal(ApiKeyService.Hash(token), stored.TokenHash);
            Assert.DoesNotContain(token, stored.TokenHash, StringComparison.Ordinal);
            Assert.Equal(_clock.Now.UtcDateTime.AddHours(48), stored.ExpiresAtUtc);
        }
        var user = AddUser("new@layerlens.test");

        Assert.Null(await Owner().AcceptAsync(token, user, "NEW@layerlens.test"));
        Assert.Equal(WorkspaceRole.Member, RoleOf(user));
        using (var db = _system.CreateDbContext())
        {
            Assert.Equal(_database.WorkspaceId, (await db.Users.SingleAsync(u => u.Id == user)).CurrentWorkspaceId);
            Assert.Contains(await db.AuditEntries.Select(a => a.Action).ToListAsync(), a => a == "invitation.accepted");
        }

        // A second use, by anyone, is refused.
        var other = AddUser("other@layerlens.test");
        Assert.NotNull(await Owner().AcceptAsync(token, user, "new@layerlens.test"));
        Assert.NotNull(await Owner().AcceptAsync(token, other, "new@layerlens.test"));
        Assert.Null(RoleOf(other));
    }

    [Fact]
    public async Task An_invitation_expires_when_its_time_is_up()
    {
        var (_, token) = await Owner().CreateAsync("late@layerlens.test", WorkspaceRole.Viewer);
        var user = AddUser("late@layerlens.test");
        _clock.Now = _clock.Now.AddHours(47);
        Assert.NotNull(await Owner().FindOpenAsync(token));
        _clock.Now = _clock.Now.AddHours(1);

        Assert.Null(await Owner().FindOpenAsync(token));
        Assert.NotNull(await Owner().AcceptAsync(token, user, "late@layerlens.test"));
        Assert.Null(RoleOf(user));
    }

    [Fact]
    public async Task A_revoked_invitation_cannot_be_accepted_and_another_workspace_neither_lists_nor_revokes_it()
    {
        var (invitation, token) = await Owner().CreateAsync("maybe@layerlens.test", WorkspaceRole.Owner);

        var otherWorkspace = Guid.NewGuid();
        using (var db = _system.CreateDbContext())
        {
            db.Workspaces.Add(new Workspace { Id = otherWorkspace, Name = "other" });
            db.SaveChanges();
        }
        var foreign = new WorkspaceContext();
        foreign.Set(otherWorkspace, "someone@else", ApiScopes.All);
        var foreignFactory = new ForeignFactory(_system, otherWorkspace);
        var foreignService = new InvitationService(foreignFactory, _system, foreign, new AuditLog(foreignFactory, _system, foreign), new InvitationSettings(), _clock, new WorkspaceAccess(foreign, _system));
        Assert.Empty(await foreignService.ListAsync());
        Assert.False(await foreignService.RevokeAsync(invitation.Id));

        Assert.True(await Owner().RevokeAsync(invitation.Id));
        var user = AddUser("maybe@layerlens.test");
        Assert.NotNull(await Owner().AcceptAsync(token, user, "maybe@layerlens.test"));
        Assert.Null(RoleOf(user));
        Assert.False(await Owner().RevokeAsync(invitation.Id));
    }

    [Fact]
    public async Task Only_owners_invite()
    {
        var viewer = new WorkspaceContext();
        viewer.Set(_database.WorkspaceId, "viewer@layerlens.test", ApiScopes.ForRole(WorkspaceRole.Viewer));
        var service = new InvitationService(_database.Factory, _system, viewer, new AuditLog(_database.Factory, _system, viewer), new InvitationSettings(), _clock, new WorkspaceAccess(viewer, _system));
        await Assert.ThrowsAsync<ScopeDeniedException>(() => service.CreateAsync("x@layerlens.test", WorkspaceRole.Owner));
    }

    private sealed class ForeignFactory(SystemDbContextFactory system, Guid workspace) : IDbContextFactory<LayerLens.Data.AppDbContext>
    {
        public LayerLens.Data.AppDbContext CreateDbContext() => system.ForWorkspace(workspace);
    }

    public void Dispose() => _database.Dispose();
}
