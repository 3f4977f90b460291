using System.Security.Cryptography;
using System.Text;
using LayerLens.Data;
using LayerLens.Data.Model.Access;
using LayerLens.Web.Audit;
using LayerLens.Web.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.ApiKeys;

/// <summary>Creates (shown once), lists and revokes the current workspace's API keys.</summary>
public sealed class ApiKeyService(IDbContextFactory<AppDbContext> dbFactory, WorkspaceContext workspace, AuditLog audit, WorkspaceAccess access)
{
    public const string KeyPrefix = "llk_";

    /// <summary>SHA-256 (hex) of a key: keys are random, so the hash is both the stored secret and the lookup index.</summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => NewSecret(KeyPrefix);

    /// <summary>A random 256-bit secret, base64url without padding, after a prefix that says what it is.</summary>
    public static string NewSecret(string prefix) => prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The shown part of a key after creation: its first characters only.</summary>
    public static string Display(string key) => key.Length <= 12 ? key[..Math.Min(4, key.Length)] + "…" : key[..12] + "…";

    /// <summary>Who a key acts for: its creator's address, or null for keys the operator configured (<c>bootstrap</c>) or legacy rows.</summary>
    public static string? CreatorAccount(string? createdBy) =>
        createdBy is null or "bootstrap" || createdBy.StartsWith("key:", StringComparison.Ordinal) ? null : createdBy;

    public async Task<(ApiKey Key, string Secret)> CreateAsync(string name, IEnumerable<string>? scopes, CancellationToken cancellationToken = default)
    {
        // Re-checked now (a demoted owner's open tab loses the right); the grant check below then sees the current scopes.
        var workspaceId = await access.RequireAsync(ApiScopes.KeysManage, cancellationToken);
        name = string.IsNullOrWhiteSpace(name) ? "key" : name.Trim();
        if (name.Length > 200)
        {
            throw new ArgumentException("the key's name is longer than 200 characters");
        }
        var granted = ApiScopes.Parse(scopes);
        // A credential hands out at most what it holds itself.
        if (granted.FirstOrDefault(s => !workspace.Has(s)) is { } beyond)
        {
            throw new ArgumentException($"you cannot grant '{beyond}': your credential does not have it");
        }
        var createdBy = workspace.Actor;
        if (workspace.ApiKeyId is { } parent)
        {
            // A key made with a key acts for the same person as its parent (checked on each use; the audit log names the key).
            await using var lookup = await dbFactory.CreateDbContextAsync(cancellationToken);
            createdBy = await lookup.ApiKeys.Where(k => k.Id == parent).Select(k => k.CreatedBy).SingleOrDefaultAsync(cancellationToken) ?? "bootstrap";
        }
        var secret = NewKey();
        var key = new ApiKey
        {
            WorkspaceId = workspaceId,
            Name = name,
            Prefix = Display(secret),
            Hash = Hash(secret),
            Scopes = string.Join(' ', granted),
            CreatedBy = createdBy,
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.ApiKeys.Add(key);
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("apikey.created", $"{key.Name} ({key.Prefix}) scopes {key.Scopes}", cancellationToken);
        return (key, secret);
    }

    public async Task<List<ApiKey>> ListAsync(CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.KeysManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.ApiKeys.AsNoTracking().OrderByDescending(k => k.CreatedAtUtc).ToListAsync(cancellationToken);
    }

    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken = default)
    {
        await access.RequireAsync(ApiScopes.KeysManage, cancellationToken);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.SingleOrDefaultAsync(k => k.Id == id && k.RevokedAtUtc == null, cancellationToken);
        if (key is null)
        {
            return false;
        }
        key.RevokedAtUtc = DateTime.UtcNow;
        await db.SaveChangesAsync(cancellationToken);
        await audit.WriteAsync("apikey.revoked", $"{key.Name} ({key.Prefix})", cancellationToken);
        return true;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
