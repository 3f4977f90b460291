using System.Net.Http.Json;
using System.Text.Json;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Hosting;

/// <summary>Uploads and polling shared by the role, metrics and logging tests.</summary>
internal static class RoleApps
{
    /// <summary>Uploads the hand-computed scenario image and returns the analysis id (without waiting).</summary>
    public static Task<string> SubmitScenarioAsync(HttpClient http, string name) => SubmitArchiveAsync(http, name, ScenarioArchive.Value);

    /// <summary>Uploads a tarball as an image and returns the analysis id (without waiting).</summary>
    public static async Task<string> SubmitArchiveAsync(HttpClient http, string name, byte[] archive)
    {
        using var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await http.PostAsync(new Uri($"api/v1/analyses?name={name}", UriKind.Relative), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    public static async Task<string> StatusAsync(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>(new Uri($"api/v1/analyses/{id}", UriKind.Relative))).GetProperty("status").GetString()!;

    /// <summary>Polls until the analysis leaves queued/running; returns its final status.</summary>
    public static async Task<string> WaitForEndAsync(HttpClient http, string id, TimeSpan timeout, Func<string> log) =>
        (await AnalysisPolling.WaitForEndAsync(http, id, timeout, log)).GetProperty("status").GetString()!;

    /// <summary>A valid tar holding one text file: accepted as an upload, failed by the job as not an image.</summary>
    public static byte[] NotAnImage()
    {
        using var buffer = new MemoryStream();
        using (var tar = new System.Formats.Tar.TarWriter(buffer, leaveOpen: true))
        {
            var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream("hello\n"u8.ToArray()),
            };
            tar.WriteEntry(entry);
        }
        return buffer.ToArray();
    }

    private static readonly Lazy<byte[]> ScenarioArchive = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"layerlens-role-scenario-{Guid.NewGuid():N}.tar");
        try
        {
            ScenarioImage.Create().WriteDockerArchiveClassic(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    });
}
