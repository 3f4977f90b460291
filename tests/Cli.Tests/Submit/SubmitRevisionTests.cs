using System.Collections.Specialized;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Web;
using LayerLens.Cli.Tests.Commands;

namespace LayerLens.Cli.Tests.Submit;

/// <summary>
/// The branch, commit and baseline <c>layerlens submit</c> sends, from its options or the CI's variables. A loopback
/// listener stands in for the service here (a mock, on purpose): the service that reads these fields is built on
/// another branch; these tests check what the CLI puts on the wire. The CLI runs as a real process.
/// </summary>
public sealed class SubmitRevisionTests : IDisposable
{
    /// <summary>Every variable any provider reads: cleared for each run, so the CI running these tests does not leak in.</summary>
    private static readonly string[] CiVariables =
    [
        "GITHUB_ACTIONS", "GITHUB_HEAD_REF", "GITHUB_REF_NAME", "GITHUB_SHA", "GITLAB_CI", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
        "CI_COMMIT_REF_NAME", "CI_COMMIT_SHA", "JENKINS_URL", "BRANCH_NAME", "GIT_BRANCH", "GIT_COMMIT", "TF_BUILD",
        "SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH", "BUILD_SOURCEBRANCHNAME", "BUILD_SOURCEVERSION", "CIRCLECI", "CIRCLE_BRANCH", "CIRCLE_SHA1",
        "BUILDKITE", "BUILDKITE_BRANCH", "BUILDKITE_COMMIT",
    ];

    private const string Sha = "0123456789abcdef0123456789abcdef01234567";

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "layerlens-cli-tests", Guid.NewGuid().ToString("N"));

    public SubmitRevisionTests()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "Dockerfile"), "FROM scratch\nCOPY a /a\n");
    }

    [Theory]
    [InlineData("GITHUB_ACTIONS=true GITHUB_HEAD_REF=feature/x GITHUB_REF_NAME=12/merge GITHUB_SHA=" + Sha, "feature/x")]
    [InlineData("GITHUB_ACTIONS=true GITHUB_HEAD_REF= GITHUB_REF_NAME=main GITHUB_SHA=" + Sha, "main")]
    [InlineData("GITLAB_CI=true CI_MERGE_REQUEST_SOURCE_BRANCH_NAME=feature/x CI_COMMIT_REF_NAME=main CI_COMMIT_SHA=" + Sha, "feature/x")]
    [InlineData("JENKINS_URL=http://ci GIT_BRANCH=origin/feature/x GIT_COMMIT=" + Sha, "feature/x")]
    [InlineData("JENKINS_URL=http://ci BRANCH_NAME=PR-7 GIT_BRANCH=origin/feature/x GIT_COMMIT=" + Sha, "PR-7")]
    [InlineData("TF_BUILD=True SYSTEM_PULLREQUEST_SOURCEBRANCH=refs/heads/feature/x BUILD_SOURCEBRANCHNAME=merge BUILD_SOURCEVERSION=" + Sha, "feature/x")]
    // Azure's BUILD_SOURCEBRANCHNAME is only the last segment (release/2.0 → 2.0): the full ref names the branch.
    [InlineData("TF_BUILD=True BUILD_SOURCEBRANCH=refs/heads/release/2.0 BUILD_SOURCEBRANCHNAME=2.0 BUILD_SOURCEVERSION=" + Sha, "release/2.0")]
    [InlineData("TF_BUILD=True SYSTEM_PULLREQUEST_SOURCEBRANCH=refs/heads/feature/a/b BUILD_SOURCEBRANCH=refs/pull/7/merge BUILD_SOURCEBRANCHNAME=merge BUILD_SOURCEVERSION=" + Sha, "feature/a/b")]
    [InlineData("CIRCLECI=true CIRCLE_BRANCH=feature/x CIRCLE_SHA1=" + Sha, "feature/x")]
    [InlineData("BUILDKITE=true BUILDKITE_BRANCH=feature/x BUILDKITE_COMMIT=" + Sha, "feature/x")]
    public async Task Branch_and_commit_default_from_each_ci_providers_variables(string variables, string branch)
    {
        var environment = Environment(variables);

        var query = await SubmitAsync(environment);

        Assert.Equal(branch, query["branch"]);
        Assert.Equal(Sha, query["commit"]);
        Assert.Null(query["baseline"]);
    }

    [Fact]
    public async Task Options_win_over_the_ci_and_the_baseline_wanted_is_sent()
    {
        var query = await SubmitAsync(Environment("GITHUB_ACTIONS=true GITHUB_REF_NAME=main GITHUB_SHA=" + Sha),
            "--branch", "release/1.2", "--commit", "ABCDEF1", "--baseline-branch", "release/1.1", "--baseline", "0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b");

        Assert.Equal("release/1.2", query["branch"]);
        Assert.Equal("abcdef1", query["commit"]);
        Assert.Equal("release/1.1", query["baselineBranch"]);
        Assert.Equal("0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b", query["baseline"]);
    }

    [Fact]
    public async Task Outside_ci_nothing_is_sent()
    {
        var query = await SubmitAsync(Environment(""));

        Assert.Null(query["branch"]);
        Assert.Null(query["commit"]);
    }

    [Theory]
    [InlineData("--commit", "not-a-sha", "--commit 'not-a-sha' is not a commit hash")]
    [InlineData("--baseline", "../../etc/passwd", "--baseline '../../etc/passwd' is not an analysis id")]
    [InlineData("--branch", "main\u0007bell", "--branch 'main?bell' is not a branch name")]
    public async Task A_bad_value_exits_2_before_anything_is_uploaded(string option, string value, string message)
    {
        using var service = new CapturingService();
        var result = await LayerLensProcess.RunAsync(_dir, Environment(""),
            "submit", "Dockerfile", "--server", service.Url, "--token", "test-key", option, value);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, service.Requests);
    }

    [Fact]
    public async Task A_bad_commit_from_the_ci_is_named_as_the_ci_s()
    {
        using var service = new CapturingService();
        var result = await LayerLensProcess.RunAsync(_dir, Environment("CIRCLECI=true CIRCLE_BRANCH=x CIRCLE_SHA1=zzz"),
            "submit", "Dockerfile", "--server", service.Url, "--token", "test-key");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("the commit from CircleCI 'zzz' is not a commit hash", result.Stderr, StringComparison.Ordinal);
    }

    private async Task<NameValueCollection> SubmitAsync(IDictionary<string, string?> environment, params string[] options)
    {
        using var service = new CapturingService();
        var result = await LayerLensProcess.RunAsync(_dir, environment,
            ["submit", "Dockerfile", "--server", service.Url, "--token", "test-key", .. options]);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return HttpUtility.ParseQueryString(service.LastQuery ?? throw new InvalidOperationException("nothing was submitted"));
    }

    private static Dictionary<string, string?> Environment(string variables)
    {
        var environment = CiVariables.ToDictionary(v => v, _ => (string?)null);
        foreach (var pair in variables.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            environment[pair[..eq]] = pair[(eq + 1)..];
        }
        return environment;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Answers the submit as the service does when it queues an analysis, and remembers the query it was sent.</summary>
    private sealed class CapturingService : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public CapturingService()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }

        public string? LastQuery { get; private set; }

        public int Requests { get; private set; }

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                Requests++;
                LastQuery = context.Request.Url!.Query;
                await context.Request.InputStream.CopyToAsync(Stream.Null);
                var body = Encoding.UTF8.GetBytes("{\"id\":\"a1\",\"links\":{\"page\":\"/analyses/a1\"}}");
                context.Response.StatusCode = 202;
                context.Response.ContentType = "application/json";
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
