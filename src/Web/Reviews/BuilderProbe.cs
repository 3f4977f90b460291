using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

namespace LayerLens.Web.Reviews;

/// <summary>
/// Whether this server measures rebuilds: only with <c>LayerLens:Measurement:Enabled=true</c> and a build sandbox
/// that can be set up here (build user with subordinate ids, cgroups, root, the tools). Never unsandboxed. Asked
/// once, lazily, so the New analysis page, the API and the job agree.
/// </summary>
public sealed class BuilderProbe
{
    public const string OffMessage = "measuring rebuilds is off on this server (LayerLens:Measurement:Enabled is not true)";

    public const string BrokenMessage = "measuring rebuilds is enabled but this server cannot set up its build sandbox (the server log says why)";

    private readonly Lazy<(BuildSandbox? Sandbox, string? Reason)> _state;

    public BuilderProbe(MeasurementSettings settings)
    {
        Settings = settings;
        _state = new Lazy<(BuildSandbox?, string?)>(() =>
        {
            if (!settings.Enabled)
            {
                return (null, null);
            }
            try
            {
                return (BuildSandbox.Create(settings.BuildUser, settings.Limits), null);
            }
            catch (SandboxUnavailableException ex)
            {
                return (null, ex.Message);
            }
        });
    }

    public MeasurementSettings Settings { get; }

    public bool Available => _state.Value.Sandbox is not null;

    /// <summary>Why measuring is unavailable, for members: no server detail.</summary>
    public string? PublicReason => Available ? null : Settings.Enabled ? BrokenMessage : OffMessage;

    /// <summary>Why the sandbox cannot be set up, for the server log; null when it can or measuring is off.</summary>
    public string? SandboxProblem => _state.Value.Reason;

    /// <summary>Measurement options for one review, always in the sandbox.</summary>
    public MeasureOptions Options(int runs, string work, Action<string> progress) => new()
    {
        Runs = runs,
        WorkDirectory = work,
        Progress = progress,
        Sandbox = _state.Value.Sandbox ?? throw new InvalidOperationException(PublicReason),
        BuildTimeout = Settings.BuildTimeout,
        JobTimeout = Settings.JobTimeout,
        DiskQuotaBytes = Settings.Limits.DiskBytes,
    };
}
