using LayerLens.Analyzer.Blobs;
using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LayerLens.Analyzer.Images;
using LayerLens.Cli.Submit;

namespace LayerLens.Cli.Commands;

/// <summary>
/// <c>layerlens submit &lt;source|Dockerfile&gt; --server URL [--token KEY]</c>: hands an image tarball, an OCI layout,
/// a registry reference or a Dockerfile (with its context) to a LayerLens service, and with <c>--wait</c> prints the
/// report and exits by its verdict: 0 passed, 1 failed, 2 bad input, 3 service error. The branch and commit (options, else
/// the CI's variables) and the baseline wanted travel as the query fields of <see cref="RevisionFields"/>.
/// </summary>
internal static class SubmitCommand
{
    private static readonly string[] Formats = ["json", "sarif", "markdown", "junit"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const int MaxDockerfileBytes = 1024 * 1024;

    public static Command Create()
    {
        var source = new Argument<string>("source") { Description = "docker-archive:PATH[:NAME|:@INDEX], oci-archive:PATH[:TAG], oci:DIR[:TAG], docker://REF, an image tarball or a Dockerfile" };
        var server = new Option<string>("--server") { Description = "the LayerLens service, e.g. https://layerlens.example.com", Required = true };
        var token = new Option<string?>("--token") { Description = "API key (default: the LAYERLENS_TOKEN environment variable)" };
        var project = new Option<string?>("--project") { Description = "project name (its policy applies)" };
        var context = new Option<string?>("--context") { Description = "build context directory of a Dockerfile" };
        var dockerfilePath = new Option<string?>("--dockerfile-path") { Description = "the Dockerfile's path in the repository, for SARIF locations; when it exists here, an image's SARIF results land on the causing instruction's line" };
        var format = new Option<string>("--format") { Description = "report format: json, sarif, markdown or junit", DefaultValueFactory = _ => "markdown" };
        format.AcceptOnlyFromAmong(Formats);
        var output = new Option<string?>("--output") { Description = "write the report here instead of stdout" };
        var ciConfig = new Option<string?>("--ci-config") { Description = ".dive-ci or layerlens.yaml to apply (default: one in the current directory)" };
        var wait = new Option<bool>("--wait") { Description = "wait for the result, print the report and exit by its verdict" };
        var branch = new Option<string?>("--branch") { Description = "the branch built (default: from the CI's variables: GitHub Actions, GitLab CI, Jenkins, Azure Pipelines, CircleCI, Buildkite)" };
        var commit = new Option<string?>("--commit") { Description = "the commit built (default: from the CI's variables)" };
        var baselineBranch = new Option<string?>("--baseline-branch") { Description = "compare with the latest analysis on this branch (default: the project's default branch)" };
        var baseline = new Option<string?>("--baseline") { Description = "compare with this analysis id" };
        var command = new Command("submit", "Submit an image or Dockerfile to a LayerLens service")
        {
            source, server, token, project, context, dockerfilePath, format, output, ciConfig, wait, branch, commit, baselineBranch, baseline,
        };
        command.SetAction((result, ct) => RunAsync(new Request(
            result.GetValue(source)!, result.GetValue(server)!, result.GetValue(token) ?? Environment.GetEnvironmentVariable("LAYERLENS_TOKEN"),
            result.GetValue(project), result.GetValue(context), result.GetValue(dockerfilePath), result.GetValue(format)!,
            result.GetValue(output), result.GetValue(ciConfig), result.GetValue(wait))
        {
            Branch = result.GetValue(branch),
            Commit = result.GetValue(commit),
            BaselineBranch = result.GetValue(baselineBranch),
            Baseline = result.GetValue(baseline),
        }, ct));
        return command;
    }

    private sealed record Request(string Source, string Server, string? Token, string? Project, string? Context, string? DockerfilePath,
        string Format, string? Output, string? CiConfig, bool Wait)
    {
        public string? Branch { get; init; }

        public string? Commit { get; init; }

        public string? BaselineBranch { get; init; }

        public string? Baseline { get; init; }
    }

    private static async Task<int> RunAsync(Request request, CancellationToken ct)
    {
        try
        {
            return await SubmitAsync(request, ct);
        }
        catch (SubmitFailure failure)
        {
            Console.Error.WriteLine($"layerlens: {failure.Message}");
            return failure.ExitCode;
        }
        catch (HttpRequestException ex)
        {
            Console.Error.WriteLine($"layerlens: {request.Server}: {ex.Message}");
            return ExitCodes.InternalError;
        }
    }

    private static async Task<int> SubmitAsync(Request request, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            throw new SubmitFailure(ExitCodes.BadInput, "no API key: pass --token or set LAYERLENS_TOKEN");
        }
        if (!Uri.TryCreate(request.Server.TrimEnd('/') + "/", UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
        {
            throw new SubmitFailure(ExitCodes.BadInput, $"--server '{request.Server}' is not an http(s) URL");
        }
        var ciConfig = ReadCiConfig(request.CiConfig);
        using var http = new HttpClient { BaseAddress = server, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", request.Token);

        Console.Error.WriteLine($"layerlens: submitting {request.Source} to {server}");
        using var post = BuildRequest(request, ciConfig);
        using var accepted = await http.SendAsync(post, ct);
        var created = await ReadAsync(accepted, ct);
        var id = created.GetProperty("id").GetString()!;
        var page = new Uri(server, created.GetProperty("links").GetProperty("page").GetString()!.TrimStart('/'));
        Console.Error.WriteLine($"layerlens: analysis {id} queued: {page}");
        if (!request.Wait)
        {
            Console.WriteLine(JsonSerializer.Serialize(created, Json));
            return ExitCodes.Passed;
        }

        var analysis = await WaitAsync(http, id, ct);
        var status = analysis.GetProperty("status").GetString();
        if (status != "succeeded")
        {
            var error = analysis.TryGetProperty("error", out var e) ? e.GetString() : null;
            // The service could not analyse the input: the input's fault unless it was cancelled.
            throw new SubmitFailure(status == "failed" ? ExitCodes.BadInput : ExitCodes.InternalError, $"analysis {id} {status}: {error}");
        }
        using (var report = await http.GetAsync(new Uri($"api/v1/analyses/{id}/report?format={request.Format}", UriKind.Relative), ct))
        {
            await EnsureAsync(report, ct);
            await using var target = request.Output is null ? Console.OpenStandardOutput() : File.Create(request.Output);
            await report.Content.CopyToAsync(target, ct);
        }
        var verdict = analysis.TryGetProperty("verdict", out var v) && v.ValueKind == JsonValueKind.Object ? v : default;
        var passed = verdict.ValueKind != JsonValueKind.Object || verdict.GetProperty("passed").GetBoolean();
        Console.Error.WriteLine(passed ? "layerlens: verdict passed" : $"layerlens: verdict FAILED: {string.Join(", ", verdict.GetProperty("failures").EnumerateArray().Select(f => f.GetString()))}");
        return passed ? ExitCodes.Passed : ExitCodes.VerdictFailed;
    }

    private static HttpRequestMessage BuildRequest(Request request, string? ciConfig)
    {
        var query = new StringBuilder("api/v1/analyses?");
        if (request.Project is { Length: > 0 } project)
        {
            query.Append("project=").Append(Uri.EscapeDataString(project)).Append('&');
        }
        if (request.DockerfilePath is { Length: > 0 } path)
        {
            query.Append("dockerfilePath=").Append(Uri.EscapeDataString(path)).Append('&');
        }
        foreach (var (name, value) in RevisionFields.Collect(request.Branch, request.Commit, request.BaselineBranch, request.Baseline, Environment.GetEnvironmentVariable))
        {
            query.Append(name).Append('=').Append(Uri.EscapeDataString(value)).Append('&');
        }
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri(query.ToString().TrimEnd('&', '?'), UriKind.Relative));
        var source = request.Source;
        if (source.StartsWith("docker://", StringComparison.Ordinal))
        {
            message.Content = JsonContent.Create(new { image = source["docker://".Length..], ciConfig, dockerfile = DockerfileText(request.DockerfilePath) }, options: Json);
            return message;
        }
        // The image chosen inside an archive or layout (docker-archive:PATH:NAME|@INDEX, oci-archive:PATH:TAG,
        // oci:DIR:TAG) is parsed as analyze parses it and travels as 'archiveImage', with the prefix's kind as
        // 'archiveKind' so the service reads the upload as analyze would (a Docker 25+ archive is both kinds, and a
        // name means a RepoTag in one and a ref.name annotation in the other); the service checks both.
        var (kind, location, archiveKind, choice) = source switch
        {
            _ when source.StartsWith("docker-archive:", StringComparison.Ordinal) => Spec("file", "docker", source),
            _ when source.StartsWith("oci-archive:", StringComparison.Ordinal) => Spec("file", "oci", source),
            _ when source.StartsWith("oci:", StringComparison.Ordinal) => Spec("dir", "oci", source),
            _ when Directory.Exists(source) => ("dir", source, null, null),
            _ when IsDockerfile(source) => ("dockerfile", source, null, null),
            _ => ("file", source, null, null),
        };
        if (archiveKind is not null)
        {
            query.Append("archiveKind=").Append(archiveKind).Append('&');
        }
        if (choice is not null)
        {
            query.Append("archiveImage=").Append(Uri.EscapeDataString(choice)).Append('&');
        }
        message.RequestUri = new Uri(query.ToString().TrimEnd('&', '?'), UriKind.Relative);
        switch (kind)
        {
            case "dockerfile":
                var form = new MultipartFormDataContent
                {
                    { new StreamContent(File.OpenRead(location)), "dockerfile", Path.GetFileName(location) },
                };
                if (request.Context is { } contextDir)
                {
                    if (!Directory.Exists(contextDir))
                    {
                        throw new SubmitFailure(ExitCodes.BadInput, $"--context {contextDir}: no such directory");
                    }
                    form.Add(new DirectoryTarContent(contextDir), "context", "context.tar");
                }
                if (ciConfig is not null)
                {
                    form.Add(new StringContent(ciConfig), "ciconfig");
                }
                message.Content = form;
                return message;
            case "dir":
                if (!Directory.Exists(location))
                {
                    throw new SubmitFailure(ExitCodes.BadInput, $"{location}: no such directory");
                }
                message.Content = new DirectoryTarContent(location);
                break;
            case "file" when !File.Exists(location):
                throw new SubmitFailure(ExitCodes.BadInput, $"{location}: no such file");
            default:
                message.Content = new StreamContent(File.OpenRead(location), 1 << 20);
                message.Content.Headers.ContentLength = new FileInfo(location).Length;
                break;
        }
        message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        if (DockerfileText(request.DockerfilePath) is { } text)
        {
            // The image streams as one part after the (bounded) Dockerfile text; the service never holds it in memory.
            var image = message.Content;
            var form = new MultipartFormDataContent { { new StringContent(text), "dockerfile", "Dockerfile" } };
            if (ciConfig is not null)
            {
                form.Add(new StringContent(ciConfig), "ciconfig");
            }
            form.Add(image, "image", "image.tar");
            message.Content = form;
            return message;
        }
        if (ciConfig is not null)
        {
            message.Headers.Add("X-LayerLens-CI-Config", Convert.ToBase64String(Encoding.UTF8.GetBytes(ciConfig)));
        }
        return message;
    }

    private static (string Kind, string Location, string? ArchiveKind, string? Choice) Spec(string kind, string archiveKind, string source)
    {
        try
        {
            var spec = ImageSourceSpec.Parse(source);
            return (kind, spec.Location, archiveKind, spec.Tag);
        }
        catch (InvalidImageException ex)
        {
            throw new SubmitFailure(ExitCodes.BadInput, ex.Message);
        }
    }

    /// <summary>A Dockerfile by name, or a small file that is not a tar (no 'ustar' magic at 257).</summary>
    private static bool IsDockerfile(string path)
    {
        var name = Path.GetFileName(path);
        if (name == "Dockerfile" || name.StartsWith("Dockerfile.", StringComparison.Ordinal) || name.EndsWith(".Dockerfile", StringComparison.Ordinal) || name == "Containerfile")
        {
            return true;
        }
        if (!File.Exists(path) || new FileInfo(path).Length > 1024 * 1024)
        {
            return false;
        }
        using var file = File.OpenRead(path);
        var head = new byte[512];
        var read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return read < 262 || Encoding.ASCII.GetString(head, 257, 5) != "ustar" && head[0] != 0x1f;
    }

    /// <summary>The Dockerfile an image was built from, when its repository path exists here and is not too large to send.</summary>
    private static string? DockerfileText(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            return null;
        }
        if (new FileInfo(path).Length > MaxDockerfileBytes)
        {
            Console.Error.WriteLine($"layerlens: {path} is larger than {MaxDockerfileBytes:N0} bytes; SARIF results will point at its line 1");
            return null;
        }
        return File.ReadAllText(path);
    }

    private static string? ReadCiConfig(string? explicitFile)
    {
        var file = explicitFile ?? new[] { ".dive-ci", "layerlens.yaml", "layerlens.yml" }.FirstOrDefault(File.Exists);
        if (file is null)
        {
            return null;
        }
        if (!File.Exists(file))
        {
            throw new SubmitFailure(ExitCodes.BadInput, $"{file}: CI configuration file not found");
        }
        return File.ReadAllText(file);
    }

    private static async Task<JsonElement> WaitAsync(HttpClient http, string id, CancellationToken ct)
    {
        string? lastPhase = null;
        while (true)
        {
            using var response = await http.GetAsync(new Uri($"api/v1/analyses/{id}", UriKind.Relative), ct);
            var analysis = await ReadAsync(response, ct);
            var status = analysis.GetProperty("status").GetString();
            if (status is not ("queued" or "running"))
            {
                return analysis;
            }
            var phase = analysis.TryGetProperty("progress", out var p) && p.ValueKind == JsonValueKind.Object ? p.GetProperty("phase").GetString() : status;
            if (phase != lastPhase)
            {
                Console.Error.WriteLine($"layerlens: {phase}");
                lastPhase = phase;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        await EnsureAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).Clone();
    }

    /// <summary>4xx (other than 429) is the caller's input or credentials: exit 2; 429, 5xx: exit 3. Problem details are shown.</summary>
    private static async Task EnsureAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var text = await response.Content.ReadAsStringAsync(ct);
        string detail;
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            detail = problem.TryGetProperty("detail", out var d) ? d.GetString() ?? text : text;
        }
        catch (JsonException)
        {
            detail = text.Length > 500 ? text[..500] : text;
        }
        var code = (int)response.StatusCode;
        var exit = code is >= 400 and < 500 && response.StatusCode != HttpStatusCode.TooManyRequests ? ExitCodes.BadInput : ExitCodes.InternalError;
        throw new SubmitFailure(exit, $"the service answered {code} {response.ReasonPhrase}: {detail}");
    }
}
