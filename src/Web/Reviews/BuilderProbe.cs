using System.Diagnostics;

namespace LayerLens.Web.Reviews;

/// <summary>
/// Whether this server can measure rebuilds: buildah on the PATH that answers <c>--version</c>. Asked once,
/// lazily, so the New analysis page and the API agree without running a process per request.
/// </summary>
public sealed class BuilderProbe
{
    private readonly Lazy<bool> _available;

    public BuilderProbe() => _available = new Lazy<bool>(Probe);

    /// <summary>For tests and configuration: a fixed answer.</summary>
    public BuilderProbe(bool available) => _available = new Lazy<bool>(available);

    public bool Available => _available.Value;

    private static bool Probe()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("buildah", "--version")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
