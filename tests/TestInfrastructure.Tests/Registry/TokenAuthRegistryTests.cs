using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Registry;
using LayerLens.TestInfrastructure.Tests.Images;

namespace LayerLens.TestInfrastructure.Tests.Registry;

/// <summary>The bearer-token flow of the Distribution API, driven by hand so each step is visible.</summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
[Trait(Needs.Trait, Needs.Registry)]
public class TokenAuthRegistryTests(TokenAuthRegistryFixture registry) : IClassFixture<TokenAuthRegistryFixture>
{
    private const string ManifestAccept = "application/vnd.oci.image.manifest.v1+json";

    [Fact]
    public async Task A_pull_with_a_scoped_token_succeeds_and_without_credentials_is_refused()
    {
        var image = await ImageFactory.Shared.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciArchive });
        await registry.PushAsync(image, "fixtures/tokened", "v1");
        var manifestUri = new Uri(registry.BaseUri, "v2/fixtures/tokened/manifests/v1");
        using var http = new HttpClient();

        // 1. Anonymous: 401 with a Bearer challenge naming realm, service and scope.
        using var anonymous = await SendAsync(http, manifestUri, authorization: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        var challenge = Assert.Single(anonymous.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        var parameters = ParseChallenge(challenge.Parameter!);
        Assert.Equal(registry.TokenService.Realm.ToString(), parameters["realm"]);
        Assert.Equal("repository:fixtures/tokened:pull", parameters["scope"]);

        // 2. The token service wants the user's credentials.
        var tokenUri = new Uri($"{parameters["realm"]}?service={Uri.EscapeDataString(parameters["service"])}&scope={Uri.EscapeDataString(parameters["scope"])}");
        using (var refused = await http.GetAsync(tokenUri))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var tokenRequest = new HttpRequestMessage(HttpMethod.Get, tokenUri);
        tokenRequest.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{registry.Username}:{registry.Password}")));
        using var tokenResponse = await http.SendAsync(tokenRequest);
        tokenResponse.EnsureSuccessStatusCode();
        using var tokenJson = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());
        var token = tokenJson.RootElement.GetProperty("token").GetString()!;

        // 3. The bearer token opens the manifest, whose digest matches the bytes served.
        using var pulled = await SendAsync(http, manifestUri, new AuthenticationHeaderValue("Bearer", token));
        Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        var body = await pulled.Content.ReadAsByteArrayAsync();
        var digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
        Assert.Equal(digest, pulled.Headers.GetValues("Docker-Content-Digest").Single());
        using var manifest = JsonDocument.Parse(body);
        Assert.Equal(TestRecipes.LayerCount, manifest.RootElement.GetProperty("layers").GetArrayLength());
    }

    [Fact]
    public async Task A_token_for_another_repository_does_not_open_this_one()
    {
        var image = await ImageFactory.Shared.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciArchive });
        await registry.PushAsync(image, "fixtures/private", "v1");
        var token = registry.TokenService.IssueToken(["repository:fixtures/elsewhere:pull"]);
        using var http = new HttpClient();

        using var response = await SendAsync(http, new Uri(registry.BaseUri, "v2/fixtures/private/manifests/v1"), new AuthenticationHeaderValue("Bearer", token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Skopeo_runs_the_token_flow_itself_with_basic_credentials()
    {
        var image = await ImageFactory.Shared.ExportAsync(TestRecipes.Greeter, new ImageExportOptions { Format = ImageFormat.OciArchive });
        var before = registry.TokenService.IssuedTokens;

        var reference = await registry.PushAsync(image, "fixtures/skopeo", "v1");
        var inspect = await registry.InspectAsync(reference);

        Assert.True(registry.TokenService.IssuedTokens > before);
        using var json = JsonDocument.Parse(inspect.StandardOutput);
        Assert.Equal(TestRecipes.LayerCount, json.RootElement.GetProperty("Layers").GetArrayLength());
        var anonymous = await registry.InspectAsync(reference, authenticate: false, checkExitCode: false);
        Assert.NotEqual(0, anonymous.ExitCode);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri uri, AuthenticationHeaderValue? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestAccept));
        request.Headers.Authorization = authorization;
        return await http.SendAsync(request);
    }

    /// <summary>key="value" pairs of a Bearer challenge (values here contain no commas or quotes).</summary>
    private static Dictionary<string, string> ParseChallenge(string parameter) =>
        parameter.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim('"'));
}
