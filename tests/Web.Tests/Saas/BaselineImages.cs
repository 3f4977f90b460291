using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.Saas;

/// <summary>
/// Synthetic images for the baseline tests: builds on main whose app grows by 1 kB each, and a pull request that
/// also copies a 20 MB file in one step and deletes it in the next (20 MB shipped, never seen: a dead file).
/// </summary>
internal static class BaselineImages
{
    public const int DeadFileBytes = 20_000_000;

    public const string DeadFile = "tmp/dead.bin";

    private static readonly string[] History =
    [
        "/bin/sh -c #(nop) ADD file:base in /",
        "/bin/sh -c #(nop) COPY file:app in /app",
        "/bin/sh -c chmod 0644 /app/config",
    ];

    public static SyntheticImage MainBuild(int build) => new(
        new LayerTarBuilder().Dir("bin").File("bin/busybox", 100_000, 1).Build(),
        new LayerTarBuilder().Dir("app").File("app/app.bin", 20_000 + build * 1_000, 10 + build).File("app/config", "port=80\n").Build(),
        new LayerTarBuilder().Dir("app").File("app/config", "port=80\n").Build())
    {
        History = [.. History.Select(h => (h, false))],
    };

    /// <summary>Main build 3 plus the dead file (zeros: the upload stays small once gzipped, the image does not).</summary>
    public static SyntheticImage PullRequest() => new(
        new LayerTarBuilder().Dir("bin").File("bin/busybox", 100_000, 1).Build(),
        new LayerTarBuilder().Dir("app").File("app/app.bin", 23_000, 13).File("app/config", "port=80\n").Build(),
        new LayerTarBuilder().Dir("tmp").File(DeadFile, new byte[DeadFileBytes]).Build(),
        new LayerTarBuilder().Dir("tmp").Whiteout(DeadFile).Build(),
        new LayerTarBuilder().Dir("app").File("app/config", "port=80\n").Build())
    {
        History =
        [
            (History[0], false), (History[1], false),
            ("/bin/sh -c #(nop) COPY file:dead in /tmp/dead.bin", false), ("/bin/sh -c rm /tmp/dead.bin", false),
            (History[2], false),
        ],
    };

    /// <summary>Uploads the image as a tarball with the query given (project, branch, …) and waits for its end.</summary>
    public static async Task<string> AnalyseAsync(TwoWorkspacesApp app, HttpClient http, SyntheticImage image, string query)
    {
        var archive = Path.Combine(Path.GetTempPath(), $"layerlens-baseline-{Guid.NewGuid():N}.tar");
        try
        {
            image.WriteDockerArchiveClassic(archive);
            await using var body = File.OpenRead(archive);
            using var content = new StreamContent(body);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var response = await http.PostAsync(new Uri($"api/v1/analyses?{query}", UriKind.Relative), content);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
            return await app.WaitAsync(http, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }
        finally
        {
            File.Delete(archive);
        }
    }
}
