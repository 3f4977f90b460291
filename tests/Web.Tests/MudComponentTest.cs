using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace LayerLens.Web.Tests;

/// <summary>
/// A bUnit context with MudBlazor's services and a migrated SQLite database. MudBlazor services are
/// async-disposable only, so the context is disposed through xunit's async lifetime.
/// </summary>
public abstract class MudComponentTest : IAsyncLifetime
{
    protected MudComponentTest()
    {
        Context.JSInterop.Mode = JSRuntimeMode.Loose;
        Context.Services.AddMudServices();
        Context.Services.AddSingleton(Database.Factory);
    }

    protected BunitContext Context { get; } = new();

    protected TestDatabase Database { get; } = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await Context.DisposeAsync();
        Database.Dispose();
    }
}
