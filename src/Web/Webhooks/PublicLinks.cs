using LayerLens.Web.Configuration;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LayerLens.Web.Webhooks;

/// <summary>Absolute links for webhooks and PR comments: LayerLens:PublicBaseUrl, else the address the server listens on.</summary>
public sealed class PublicLinks(ResolvedSettings settings, IServer server)
{
    public string BaseUrl => (settings.PublicBaseUrl
        ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
        ?? "http://localhost").TrimEnd('/');

    public string Absolute(string path) => BaseUrl + path;
}
