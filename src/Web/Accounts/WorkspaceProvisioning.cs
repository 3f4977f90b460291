using LayerLens.Data.Model.Access;
using LayerLens.Data.Model.Audit;
using LayerLens.Data.Model.Workspaces;
using LayerLens.Data.Tenancy;
using LayerLens.Web.ApiKeys;
using LayerLens.Web.RegistryHooks;
using LayerLens.Web.Tenancy;
using LayerLens.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Accounts;

/// <summary>Creates accounts with their workspace: sign-up, the first administrator, and the configured bootstrap list.</summary>
public sealed class WorkspaceProvisioning(UserManager<AppUser> users, SystemDbContextFactory system)
{
    /// <summary>A new user who owns a new workspace. The very first user becomes the server's administrator.</summary>
    public async Task<(AppUser? User, IReadOnlyList<string> Errors)> SignUpAsync(string email, string password, string workspaceName, CancellationToken cancellationToken = default)
    {
        email = email.Trim();
        workspaceName = string.IsNullOrWhiteSpace(workspaceName) ? email : workspaceName.Trim();
        if (workspaceName.Length > 200)
        {
            return (null, ["the workspace name is longer than 200 characters"]);
        }
        await using var db = system.CreateDbContext();
        if (await db.Workspaces.AnyAsync(w => w.Name == workspaceName, cancellationToken))
        {
            return (null, [$"a workspace named '{workspaceName}' exists; choose another name"]);
        }
        var freshInstall = !await users.Users.AnyAsync(cancellationToken);
        var user = new AppUser { UserName = email, Email = email };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded)
        {
            return (null, created.Errors.Select(e => e.Description).ToList());
        }
        // The first administrator: a fresh install (no account before this one) and the FirstAdministrator row's fixed
        // key. Sign-ups racing here may all have seen a fresh install; only one insert of that key succeeds, and the
        // administrator claim and the adopted workspace are written in the same transaction as that insert.
        if (freshInstall && !await db.FirstAdministrators.AnyAsync(cancellationToken)
            && await TryClaimFirstAdministratorAsync(db, user, email, workspaceName, cancellationToken))
        {
            return (user, []);
        }
        var workspace = new Workspace { Name = workspaceName };
        db.Workspaces.Add(workspace);
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = user.Id, Role = WorkspaceRole.Owner });
        db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspace.Id, Actor = email, Action = "workspace.created", Detail = "signed up" });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The workspace name was taken meanwhile (unique index): no half-made account stays behind.
            await users.DeleteAsync(user);
            return (null, [$"a workspace named '{workspaceName}' exists; choose another name"]);
        }
        return (user, []);
    }

    /// <summary>
    /// One transaction: the singleton row, the administrator claim, and the workspace (the migration's 'default', which
    /// holds the analyses made before workspaces existed, when it is there). False when another sign-up holds the row.
    /// </summary>
    private static async Task<bool> TryClaimFirstAdministratorAsync(AppDbContext db, AppUser user, string email, string workspaceName, CancellationToken cancellationToken)
    {
        db.FirstAdministrators.Add(new FirstAdministrator { UserId = user.Id });
        db.UserClaims.Add(new IdentityUserClaim<string> { UserId = user.Id, ClaimType = LayerLensClaims.Administrator, ClaimValue = "true" });
        var workspace = await db.Workspaces.SingleOrDefaultAsync(w => w.Id == Guid.Empty, cancellationToken);
        if (workspace is null)
        {
            workspace = new Workspace { Name = workspaceName };
            db.Workspaces.Add(workspace);
        }
        else
        {
            workspace.Name = workspaceName;
        }
        db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = user.Id, Role = WorkspaceRole.Owner });
        db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspace.Id, Actor = email, Action = "workspace.created", Detail = "first administrator signed up" });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            // Lost the race (the row's key exists now): forget this attempt; the caller makes an ordinary account.
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Idempotent: creates what is missing of one configured workspace, its admin and its all-scopes key.</summary>
    public async Task EnsureAsync(BootstrapWorkspace spec, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(spec.Name))
        {
            throw new InvalidOperationException("LayerLens:Bootstrap:Workspaces: an entry has no Name");
        }
        await using var db = system.CreateDbContext();
        var workspace = await db.Workspaces.SingleOrDefaultAsync(w => w.Name == spec.Name, cancellationToken);
        if (workspace is null)
        {
            workspace = new Workspace { Name = spec.Name };
            db.Workspaces.Add(workspace);
            db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspace.Id, Actor = "bootstrap", Action = "workspace.created", Detail = "from configuration" });
            await db.SaveChangesAsync(cancellationToken);
        }
        if (spec.MaxUploadBytes is not null || spec.MaxActiveAnalyses is not null || spec.MaxStorageBytes is not null)
        {
            workspace.MaxUploadBytes = spec.MaxUploadBytes ?? workspace.MaxUploadBytes;
            workspace.MaxStorageBytes = spec.MaxStorageBytes ?? workspace.MaxStorageBytes;
            workspace.MaxActiveAnalyses = spec.MaxActiveAnalyses ?? workspace.MaxActiveAnalyses;
            await db.SaveChangesAsync(cancellationToken);
        }
        if (!string.IsNullOrWhiteSpace(spec.AdminEmail))
        {
            var user = await users.FindByEmailAsync(spec.AdminEmail);
            if (user is null)
            {
                if (string.IsNullOrEmpty(spec.AdminPassword))
                {
                    throw new InvalidOperationException($"LayerLens:Bootstrap:Workspaces '{spec.Name}': AdminEmail without AdminPassword");
                }
                user = new AppUser { UserName = spec.AdminEmail, Email = spec.AdminEmail, EmailConfirmed = true };
                var created = await users.CreateAsync(user, spec.AdminPassword);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException($"LayerLens:Bootstrap:Workspaces '{spec.Name}': {string.Join("; ", created.Errors.Select(e => e.Description))}");
                }
            }
            if (!await db.WorkspaceMembers.AnyAsync(m => m.WorkspaceId == workspace.Id && m.UserId == user.Id, cancellationToken))
            {
                db.WorkspaceMembers.Add(new WorkspaceMember { WorkspaceId = workspace.Id, UserId = user.Id, Role = WorkspaceRole.Owner });
                await db.SaveChangesAsync(cancellationToken);
            }
            // An install configured with an administrator has one from its first start: without this, a fresh install whose
            // accounts all came from configuration had no server administrator (no /hangfire), and no sign-up could become one.
            if (!await db.FirstAdministrators.AnyAsync(cancellationToken))
            {
                db.FirstAdministrators.Add(new FirstAdministrator { UserId = user.Id });
                db.UserClaims.Add(new IdentityUserClaim<string> { UserId = user.Id, ClaimType = LayerLensClaims.Administrator, ClaimValue = "true" });
                db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspace.Id, Actor = "bootstrap", Action = "server.administrator", Detail = spec.AdminEmail });
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear(); // a sign-up took the row first: it is the administrator
                }
            }
        }
        foreach (var entry in spec.RegistryHosts ?? [])
        {
            // "notification-host=pull-host"; configuration keys cannot hold the ':' of host:port, so a list of pairs.
            var parts = entry.Split('=', 2, StringSplitOptions.TrimEntries);
            try
            {
                var (mapping, changed) = await RegistryHostMappings.UpsertAsync(db, workspace.Id, parts[0], parts.Length == 2 ? parts[1] : null, cancellationToken);
                if (changed)
                {
                    // As the API records a mapping, but only when configuration changed it, not on every start.
                    db.AuditEntries.Add(new AuditEntry { WorkspaceId = workspace.Id, Actor = "bootstrap", Action = "registry-host.mapped", Detail = $"{mapping.NotificationHost} → {mapping.PullHost}" });
                    await db.SaveChangesAsync(cancellationToken);
                }
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"LayerLens:Bootstrap:Workspaces '{spec.Name}': RegistryHosts entry '{entry}': {ex.Message} (write notification-host=pull-host)", ex);
            }
        }
        if (!string.IsNullOrEmpty(spec.ApiKey))
        {
            if (spec.ApiKey.Length < 20)
            {
                throw new InvalidOperationException($"LayerLens:Bootstrap:Workspaces '{spec.Name}': ApiKey must be at least 20 characters");
            }
            var hash = ApiKeyService.Hash(spec.ApiKey);
            if (!await db.ApiKeys.AnyAsync(k => k.Hash == hash, cancellationToken))
            {
                db.ApiKeys.Add(new ApiKey
                {
                    WorkspaceId = workspace.Id,
                    Name = "bootstrap",
                    Prefix = ApiKeyService.Display(spec.ApiKey),
                    Hash = hash,
                    Scopes = string.Join(' ', ApiScopes.Parse(spec.Scopes?.Split(' ', ','))),
                    CreatedBy = "bootstrap",
                });
                await db.SaveChangesAsync(cancellationToken);
            }
        }
    }
}

/// <summary>One entry of <c>LayerLens:Bootstrap:Workspaces</c>.</summary>
public sealed class BootstrapWorkspace
{
    public string Name { get; set; } = "";

    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>Quotas of the workspace (server defaults when unset).</summary>
    public long? MaxUploadBytes { get; set; }

    public int? MaxActiveAnalyses { get; set; }

    public long? MaxStorageBytes { get; set; }

    /// <summary>Registry hook host mapping entries, each <c>notification-host=pull-host</c>.</summary>
    public string[]? RegistryHosts { get; set; }

    /// <summary>Scopes of <see cref="ApiKey"/> (space or comma separated); all when empty.</summary>
    public string? Scopes { get; set; }
}
