namespace LayerLens.Analyzer.Reports.Verdicts;

/// <summary>A CI configuration file that cannot be understood (bad input, exit code 2).</summary>
public sealed class CiConfigException : Exception
{
    public CiConfigException(string message) : base(message) { }

    public CiConfigException(string message, Exception inner) : base(message, inner) { }
}
