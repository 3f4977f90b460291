using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Archives;
using LayerLens.TestInfrastructure.Images;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Web.Tests.ScaleOut;

/// <summary>One analysis the scale-out test submitted: its id, kind and a path its tree's first level must show.</summary>
internal sealed record Submitted(string Id, string Kind, string? RootEntry);

/// <summary>
/// The three ways in: image uploads (synthetic images, each with content of its own, and one buildah image),
/// registry references, and Dockerfile reviews (one with a build context).
/// </summary>
internal static class ScaleOutSubmissions
{
    private const string Dockerfile = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n";

    /// <summary>A small busybox image built with buildah: a real image's layers and history.</summary>
    public static Task<ImageExport> BuildahImageAsync(ImageFormat format) =>
        ImageFactory.Shared.ExportAsync(
            ImageRecipe.OnBusybox("scaleout-app", "COPY app.txt /srv/app.txt\nRUN mkdir -p /var/cache/junk && cp /srv/app.txt /var/cache/junk/copy\n")
                .WithFile("app.txt", "scale-out test image\n"),
            new ImageExportOptions { Format = format });

    /// <summary>A two-layer image whose files (under <c>srv{n}/</c>) no other upload of the run has.</summary>
    public static byte[] SyntheticArchive(int n)
    {
        var first = new LayerTarBuilder().Dir($"srv{n}").File($"srv{n}/data.bin", 4096 + n, seed: 100 + n).File($"srv{n}/keep.txt", $"image {n}\n").Build();
        var second = new LayerTarBuilder().Dir($"srv{n}").Whiteout($"srv{n}/data.bin").File($"srv{n}/new.txt", 64, seed: 200 + n).Build();
        var image = new SyntheticImage(first, second) { History = [($"COPY srv{n} /srv{n}", false), ($"RUN rm /srv{n}/data.bin", false)] };
        var path = Path.Combine(Path.GetTempPath(), $"layerlens-scaleout-{Guid.NewGuid():N}.tar");
        try
        {
            image.WriteDockerArchiveClassic(path, $"scaleout/app{n}:latest");
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    public static async Task<Submitted> UploadAsync(HttpClient api, string name, byte[] archive, string rootEntry)
    {
        using var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await api.PostAsync(new Uri($"api/v1/analyses?name={name}", UriKind.Relative), content);
        return new Submitted(await IdOfAsync(response), "image", rootEntry);
    }

    public static async Task<Submitted> ReferenceAsync(HttpClient api, string reference, string rootEntry, (string Username, string Password)? credentials = null)
    {
        using var response = await api.PostAsJsonAsync(new Uri("api/v1/analyses", UriKind.Relative), credentials is { } c
            ? new { image = reference, credentials = (object?)new { username = c.Username, password = c.Password } }
            : new { image = reference, credentials = (object?)null });
        return new Submitted(await IdOfAsync(response), "image", rootEntry);
    }

    public static async Task<Submitted> ReviewAsync(HttpClient api, bool withContext)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Dockerfile)), "dockerfile", "Dockerfile");
        if (withContext)
        {
            var context = new ByteArrayContent(TestArchive.Tar([new("package.json", "{\"name\":\"app\"}\n"), new("package-lock.json", "{}\n"), new("index.js", "console.log(1)\n")]));
            context.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(context, "context", "context.tar");
        }
        using var response = await api.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), form);
        return new Submitted(await IdOfAsync(response), "dockerfile", RootEntry: null);
    }

    private static async Task<string> IdOfAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }
}
