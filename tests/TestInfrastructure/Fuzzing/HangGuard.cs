namespace LayerLens.TestInfrastructure.Fuzzing;

/// <summary>
/// A per-input hang guard for fuzz loops. A whole-run budget flakes when the machine is loaded (the suite shares
/// its cores with image builds) and blames the last input for the time of all others; each input here gets its
/// own limit, far above what one parse takes (milliseconds), so only a hang or a super-linear blow-up trips it,
/// and the failure names the input.
/// </summary>
public static class HangGuard
{
    public static readonly TimeSpan PerInput = TimeSpan.FromSeconds(30);

    /// <summary>Runs <paramref name="action"/>; its exceptions pass through, a run past <see cref="PerInput"/> fails naming <paramref name="input"/>.</summary>
    public static void Run(string input, Action action)
    {
        var run = Task.Run(action);
        if (!run.Wait(PerInput) && !run.IsCompleted)
        {
            throw new TimeoutException($"still running after {PerInput.TotalSeconds:0} s (a hang) on input: {Describe(input)}");
        }
        run.GetAwaiter().GetResult();
    }

    private static string Describe(string input) => input.Length <= 400 ? System.Text.Json.JsonSerializer.Serialize(input) : System.Text.Json.JsonSerializer.Serialize(input[..400]) + $" … ({input.Length} chars)";
}
