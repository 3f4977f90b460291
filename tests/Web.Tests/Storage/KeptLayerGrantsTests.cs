using System.Security.Cryptography;
using System.Text;
using LayerLens.Data;
using LayerLens.Data.Blobs;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Configuration;
using LayerLens.Web.Jobs;
using LayerLens.Web.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LayerLens.Web.Tests.Storage;

/// <summary>
/// Kept-layer grants on a real data directory: honoured only for the repository they record and within their
/// lifetime; blob retention (the real service, on a real SQLite database) removes expired grants and grants of
/// blobs no longer kept.
/// </summary>
public sealed class KeptLayerGrantsTests : IDisposable
{
    private static readonly Guid Workspace = Guid.NewGuid();
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(2);
    private readonly string _data = Directory.CreateTempSubdirectory("layerlens-grant-tests-").FullName;
    private readonly TestDatabase _database = new();

    private KeptLayerGrants Grants => new(_data, Lifetime);

    private string GrantFile(string repository, string digest) => Path.Combine(_data, "grants", Workspace.ToString("N"),
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repository))), digest[7..]);

    private static string Digest(string text) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [Fact]
    public void A_grant_is_honoured_only_for_the_repository_it_records()
    {
        var digest = Digest("layer");
        Grants.Record(Workspace, "registry.example/team/app", digest);
        Assert.True(Grants.Has(Workspace, "registry.example/team/app", digest));

        // A record moved (or colliding) into another repository's place names its own repository: not honoured.
        var other = GrantFile("evil.example/team/app", digest);
        Directory.CreateDirectory(Path.GetDirectoryName(other)!);
        File.Copy(GrantFile("registry.example/team/app", digest), other);
        Assert.False(Grants.Has(Workspace, "evil.example/team/app", digest));
        Assert.False(Grants.Has(Guid.NewGuid(), "registry.example/team/app", digest));
    }

    [Fact]
    public void A_grant_older_than_its_lifetime_is_not_honoured_and_a_new_verified_download_renews_it()
    {
        var digest = Digest("layer");
        Grants.Record(Workspace, "registry.example/team/app", digest);
        File.SetLastWriteTimeUtc(GrantFile("registry.example/team/app", digest), DateTime.UtcNow - Lifetime - TimeSpan.FromMinutes(1));
        Assert.False(Grants.Has(Workspace, "registry.example/team/app", digest));

        Grants.Record(Workspace, "registry.example/team/app", digest);
        Assert.True(Grants.Has(Workspace, "registry.example/team/app", digest));
    }

    [Fact]
    public async Task Blob_retention_removes_expired_grants_and_grants_of_deleted_blobs()
    {
        var settings = new ResolvedSettings(_data, DatabaseProvider.Sqlite, _database.ConnectionString, JobStorageProvider.Embedded, "", false)
        {
            BlobRetentionDays = 30,
            KeptLayerGrantLifetime = Lifetime,
        };
        using var blobs = new BlobStore(_data);
        var kept = await blobs.WriteAsync(new MemoryStream("kept"u8.ToArray()), long.MaxValue, CancellationToken.None);
        var aged = await blobs.WriteAsync(new MemoryStream("aged"u8.ToArray()), long.MaxValue, CancellationToken.None);
        var gone = await blobs.WriteAsync(new MemoryStream("gone"u8.ToArray()), long.MaxValue, CancellationToken.None);
        foreach (var digest in new[] { kept.Digest, aged.Digest, gone.Digest })
        {
            Grants.Record(Workspace, "registry.example/team/app", digest);
        }
        File.SetLastWriteTimeUtc(GrantFile("registry.example/team/app", aged.Digest), DateTime.UtcNow - Lifetime - TimeSpan.FromMinutes(1));
        File.SetLastWriteTimeUtc(blobs.PathOf(gone.Digest), DateTime.UtcNow.AddDays(-31)); // retention deletes this blob

        var retention = new BlobRetention(_database.Provider.GetRequiredService<SystemDbContextFactory>(), blobs, settings, NullLogger<BlobRetention>.Instance);
        Assert.Equal(1, await retention.SweepAsync(CancellationToken.None));

        Assert.True(File.Exists(GrantFile("registry.example/team/app", kept.Digest)));
        Assert.False(File.Exists(GrantFile("registry.example/team/app", aged.Digest)));
        Assert.False(File.Exists(GrantFile("registry.example/team/app", gone.Digest)));
        Assert.True(Grants.Has(Workspace, "registry.example/team/app", kept.Digest));
    }

    public void Dispose()
    {
        _database.Dispose();
        Directory.Delete(_data, recursive: true);
    }
}
