using System.Diagnostics;
using System.Formats.Tar;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LayerLens.TestInfrastructure.Archives;

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
        Git(repo, "log", "--max-count=2000", "--format=", "--name-only", "--relative", "--", ".");
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

    /// <summary>A real git repository whose configuration points every program hook it can at ./x, with a signed commit.</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string HostileRepository(string marker)
    {
        var repo = Path.Combine(_dir, "repo");
        Directory.CreateDirectory(repo);
        File.WriteAllText(Path.Combine(repo, "package.json"), "{}\n");
        File.WriteAllText(Path.Combine(repo, "index.js"), "console.log(1)\n");
        var script = $"#!/bin/sh\ntouch '{marker}'\n";
        File.WriteAllText(Path.Combine(repo, "x"), script);
        File.SetUnixFileMode(Path.Combine(repo, "x"), (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(repo, "hooks"));
        foreach (var hook in new[] { "post-checkout", "post-index-change", "reference-transaction", "pre-commit", "post-commit" })
        {
            File.WriteAllText(Path.Combine(repo, "hooks", hook), script);
            File.SetUnixFileMode(Path.Combine(repo, "hooks", hook), (UnixFileMode)0b111_101_101);
        }
        Git(repo, "init", "-q", ".");
        Git(repo, "add", ".");
        var tree = Git(repo, "write-tree").Trim();
        // A commit with a gpgsig header: with log.showSignature, git hands it to gpg.program to verify.
        var commit = $"tree {tree}\nauthor A <a@example.com> 1700000000 +0000\ncommitter A <a@example.com> 1700000000 +0000\n" +
                     "gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n";
        var sha = GitWithInput(repo, commit, "hash-object", "-t", "commit", "-w", "--stdin").Trim();
        Git(repo, "update-ref", "HEAD", sha);
        Git(repo, "config", "gpg.program", "./x");
        Git(repo, "config", "log.showSignature", "true");
        Git(repo, "config", "core.fsmonitor", "./x");
        Git(repo, "config", "core.hooksPath", "hooks");
        Git(repo, "config", "core.pager", "./x");
        Git(repo, "config", "diff.external", "./x");
        return repo;
    }

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

    private static string Git(string directory, params string[] args) => GitWithInput(directory, null, args);

    private static string GitWithInput(string directory, string? input, params string[] args)
    {
        var psi = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = input is not null, WorkingDirectory = directory };
        psi.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        psi.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi)!;
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"git {string.Join(' ', args)}: {error}");
        return output;
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
