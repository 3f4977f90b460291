using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Archives;
using LayerLens.TestInfrastructure.Git;

namespace LayerLens.Web.Tests.Api;

/// <summary>
/// Build contexts that attack the service through <c>POST /api/v1/analyses</c>: a <c>.git</c> whose
/// configuration would make git run the uploader's program (signature verification with gpg.program,
/// core.fsmonitor, core.hooksPath), a symlinked .dockerignore, and the change history that replaces git.
/// </summary>
public sealed class HostileContextApiTests(ApiApp api) : IClassFixture<ApiApp>, IDisposable
{
    private const string Dockerfile = "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n";
    private readonly string _dir = Directory.CreateTempSubdirectory("layerlens-hostile-git-").FullName;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task A_context_with_a_hostile_git_directory_runs_nothing_on_the_server()
    {
        var marker = Path.Combine(_dir, "marker");
        var repo = HostileRepository(marker);
        // The repository really is hostile: git run as the old reviewer ran it executes the program.
        TestGit.Run(repo, "log", "--max-count=2000", "--format=", "--name-only", "--relative", "--", ".");
        Assert.True(File.Exists(marker), "the hostile repository should run ./x under a plain git log");
        File.Delete(marker);

        var (response, body) = await PostAsync(Form(Dockerfile, TarOf(repo)));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {body}");
        var id = body.GetProperty("id").GetString()!;
        var done = await api.WaitForEndAsync(id);

        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.False(File.Exists(marker), "the uploader's program ran on the server");
        using var report = JsonDocument.Parse(await ReportAsync(id));
        Assert.Equal("uniform", report.RootElement.GetProperty("expected").GetProperty("weights").GetString());
        Assert.True(report.RootElement.GetProperty("context").GetProperty("versionControlEntriesLeftOut").GetInt32() > 10);
    }

    [Fact]
    public async Task An_uploaded_history_weights_the_review_and_a_malformed_one_is_refused_naming_its_line()
    {
        var context = TestArchive.Build("tar", new TestEntry("package.json", "{}\n"), new TestEntry("index.js", "1\n"));
        const string history = "\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nindex.js\n\u00002bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nindex.js\npackage.json\n";
        var (response, body) = await PostAsync(Form(Dockerfile, context, history));
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{response.StatusCode}: {body}");
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal("succeeded", (await api.WaitForEndAsync(id)).GetProperty("status").GetString());
        using var report = JsonDocument.Parse(await ReportAsync(id));
        Assert.Equal("uploaded history", report.RootElement.GetProperty("expected").GetProperty("weights").GetString());

        (response, body) = await PostAsync(Form(Dockerfile, context, "\u00001bda5b6ede87818787438a73ad0bea3e9e15ff39\n\nM\tindex.js\n"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'history' part is not `git log --name-only` text: change history line 3", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".dockerignore")]
    [InlineData("Dockerfile")]
    public async Task A_symlinked_dockerignore_or_Dockerfile_in_the_context_is_a_400_naming_it(string name)
    {
        var context = TestArchive.Build("tar", new TestEntry("index.js", "1\n"), new TestEntry(name, SymlinkTo: "index.js"));
        var (response, body) = await PostAsync(Form(Dockerfile, context));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"build context entry '{name}' is a symbolic link", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string HostileRepository(string marker) =>
        HostileGitRepository.Create(Path.Combine(_dir, "repo"), marker, ("package.json", "{}\n"), ("index.js", "console.log(1)\n"));

    /// <summary>The repository as a tar, .git and all (entries written one by one: nothing hidden is skipped).</summary>
    private static byte[] TarOf(string directory)
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
        {
            // SearchOption.AllDirectories enumerates with the compatible options, which pass over no attribute (dot files included).
            foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                writer.WriteEntry(path, Path.GetRelativePath(directory, path).Replace('\\', '/'));
            }
        }
        var names = new List<string>();
        buffer.Position = 0;
        using (var reader = new TarReader(buffer, leaveOpen: true))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name);
            }
        }
        Assert.Contains(".git/config", names);
        return buffer.ToArray();
    }

    private static MultipartFormDataContent Form(string dockerfile, byte[] context, string? history = null)
    {
        var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(dockerfile)), "dockerfile", "Dockerfile" },
        };
        var part = new ByteArrayContent(context);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        form.Add(part, "context", "context.tar");
        if (history is not null)
        {
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(history)), "history", "history.txt");
        }
        return form;
    }

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(MultipartFormDataContent form)
    {
        var response = await api.Http.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), form);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private async Task<string> ReportAsync(string id)
    {
        using var response = await api.Http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format=json", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
