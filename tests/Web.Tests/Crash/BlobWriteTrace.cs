using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using LayerLens.TestInfrastructure.WebApp;

namespace LayerLens.Web.Tests.Crash;

/// <summary>
/// Runs the real app on a fresh data directory, attaches strace to it, uploads one body (stored as a blob by the
/// real BlobStore) and returns the file system calls traced meanwhile, one per line without the thread id. A crash
/// or power cut cannot be staged here; the order of open/fsync/rename/directory-fsync is what makes a blob durable,
/// so the test reads that order from the kernel's side.
/// </summary>
internal static partial class BlobWriteTrace
{
    public static async Task<List<string>> RunAsync(string dataDirectory)
    {
        var output = Path.Combine(Path.GetTempPath(), $"layerlens-strace-{Guid.NewGuid():N}.txt");
        var data = Directory.CreateDirectory(Path.Combine(dataDirectory, "traced")).FullName;
        await using var app = await WebAppProcess.StartAsync(new Dictionary<string, string>(), data);
        var strace = Process.Start(new ProcessStartInfo("strace", ["-f", "-qq", "-o", output, "-e", "trace=open,openat,fsync,fdatasync,rename,renameat,renameat2,mkdir,mkdirat", "-p", app.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardError = true,
        })!;
        try
        {
            await CrashApp.WaitUntilAsync(() => File.Exists(output), TimeSpan.FromSeconds(20), "strace attached");
            await Task.Delay(TimeSpan.FromSeconds(2)); // every thread attached
            var content = new byte[256 * 1024];
            new Random(7).NextBytes(content);
            using var client = app.CreateClient();
            using var body = new ByteArrayContent(content);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
            using var response = await client.PostAsync(new Uri("api/v1/analyses", UriKind.Relative), body);
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        finally
        {
            // SIGINT: strace detaches cleanly and flushes its output; the app goes on until disposed.
            using (var interrupt = Process.Start("kill", ["-INT", strace.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await interrupt.WaitForExitAsync();
            }
            using var stopped = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await strace.WaitForExitAsync(stopped.Token);
        }
        var lines = File.ReadAllLines(output).Select(l => ThreadId().Replace(l, "")).ToList();
        File.Delete(output);
        return lines;
    }

    [GeneratedRegex(@"^\d+\s+")]
    private static partial Regex ThreadId();
}
