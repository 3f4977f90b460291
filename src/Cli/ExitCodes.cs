namespace LayerLens.Cli;

/// <summary>The exit codes docs/ci.md promises to CI pipelines.</summary>
public static class ExitCodes
{
    public const int Passed = 0;
    public const int VerdictFailed = 1;
    public const int BadInput = 2;
    public const int InternalError = 3;
}
