namespace LayerLens.Analyzer.Dockerfiles.Model;

/// <summary>
/// Instruction text as builders echo it in history and logs: continuation lines joined and runs of white
/// space collapsed, so a Dockerfile line and a `created_by` or build-log entry can be compared.
/// </summary>
public static class InstructionText
{
    public static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
