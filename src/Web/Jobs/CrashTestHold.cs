namespace LayerLens.Web.Jobs;

/// <summary>
/// TEST-ONLY fault injection for the kill -9 tests (tests/Web.Tests/Crash): when the environment variable
/// <c>LAYERLENS_TEST_HOLD_AT</c> names a point, the thread that reaches it prints
/// <c>crash-test hold reached: &lt;point&gt;</c> and blocks for good, so the test can SIGKILL the process exactly
/// there. Without the variable (every real deployment) each call is one string comparison and returns at once.
/// </summary>
public static class CrashTestHold
{
    public const string Variable = "LAYERLENS_TEST_HOLD_AT";

    /// <summary>After the finishing transaction (result and webhook rows) committed, before the deliveries are queued.</summary>
    public const string AfterFinishCommitted = "after-finish-committed";

    /// <summary>After a run's results were moved to results/&lt;id&gt;/&lt;run&gt;, before the row names the run.</summary>
    public const string AfterResultsMoved = "after-results-moved";

    private static readonly string? Point = Environment.GetEnvironmentVariable(Variable);

    public static void At(string point)
    {
        if (Point is null || !string.Equals(Point, point, StringComparison.Ordinal))
        {
            return;
        }
        Console.Out.WriteLine($"crash-test hold reached: {point}");
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }
}
