using LayerLens.Data.Model.RegistryHooks;
using LayerLens.Data.Tenancy;
using LayerLens.Web.Audit;
using LayerLens.Web.RegistryHooks;
using LayerLens.Web.Tenancy;
using Microsoft.Extensions.DependencyInjection;

namespace LayerLens.Web.Tests.RegistryHooks;

/// <summary>The host map a notification envelope resolves its events through.</summary>
public sealed class RegistryHostMappingsTests : IDisposable
{
    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Rows_differing_only_in_case_resolve_to_the_lower_case_row_instead_of_failing()
    {
        // The unique index is case-sensitive: legacy or hand-edited data can hold both spellings.
        await using (var db = await _db.Factory.CreateDbContextAsync())
        {
            db.RegistryHostMappings.Add(new RegistryHostMapping { WorkspaceId = _db.WorkspaceId, NotificationHost = "Registry:5000", PullHost = "legacy.example.com" });
            db.RegistryHostMappings.Add(new RegistryHostMapping { WorkspaceId = _db.WorkspaceId, NotificationHost = "registry:5000", PullHost = "registry.example.com" });
            db.RegistryHostMappings.Add(new RegistryHostMapping { WorkspaceId = _db.WorkspaceId, NotificationHost = "mirror:5000", PullHost = "mirror.example.com" });
            await db.SaveChangesAsync();
        }
        var workspace = new WorkspaceContext();
        workspace.Set(_db.WorkspaceId, "test", ApiScopes.AnalysesWrite); // resolving needs analyses:write since the service checks it
        var system = _db.Provider.GetRequiredService<SystemDbContextFactory>();
        var mappings = new RegistryHostMappings(_db.Factory, workspace, new AuditLog(_db.Factory, system, workspace), new WorkspaceAccess(workspace, system));

        var resolve = await mappings.LoadResolverAsync();

        Assert.Equal("registry.example.com", resolve("registry:5000"));
        Assert.Equal("registry.example.com", resolve("REGISTRY:5000"));
        Assert.Equal("mirror.example.com", resolve("Mirror:5000"));
        Assert.Equal("other:5000", resolve("other:5000"));
    }
}
