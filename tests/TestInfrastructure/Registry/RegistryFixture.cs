using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Processes;
using Xunit;

namespace LayerLens.TestInfrastructure.Registry;

/// <summary>An anonymous test registry for an xunit class or collection fixture.</summary>
public class RegistryFixture : IAsyncLifetime
{
    private RegistryServer? _server;

    /// <summary>What registry to start; subclasses choose the auth mode.</summary>
    protected virtual RegistryOptions Options => new();

    public RegistryServer Server => _server ?? throw new InvalidOperationException("The registry fixture has not started.");

    public string Address => Server.Address;

    public Uri BaseUri => Server.BaseUri;

    public string Username => Server.Username;

    public string Password => Server.Password;

    public Task<string> PushAsync(ImageExport image, string repository, string tag = "latest") =>
        Server.PushAsync(image, repository, tag);

    public Task<ProcessResult> InspectAsync(string reference, bool raw = false, bool authenticate = true, bool checkExitCode = true) =>
        Server.InspectAsync(reference, raw, authenticate, checkExitCode);

    public async Task InitializeAsync() => _server = await RegistryServer.StartAsync(Options);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>A test registry that requires HTTP basic auth (htpasswd, bcrypt).</summary>
public sealed class BasicAuthRegistryFixture : RegistryFixture
{
    protected override RegistryOptions Options => new() { Auth = RegistryAuth.Basic };
}

/// <summary>A test registry that requires bearer tokens from an in-process token service (basic credentials get a token).</summary>
public sealed class TokenAuthRegistryFixture : RegistryFixture
{
    protected override RegistryOptions Options => new() { Auth = RegistryAuth.Token };

    public TokenService TokenService => Server.TokenService!;
}
