namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>A Dockerfile that BuildKit would reject, or that is unsafe to read; names the 1-based line.</summary>
public sealed class DockerfileParseException : Exception
{
    public DockerfileParseException(string message, int line, int endLine = 0)
        : base(message)
    {
        Line = line;
        EndLine = endLine == 0 ? line : endLine;
    }

    public DockerfileParseException()
    {
    }

    public DockerfileParseException(string message)
        : base(message)
    {
    }

    public DockerfileParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>1-based line where the problem starts (0 when the file as a whole is the problem).</summary>
    public int Line { get; }

    public int EndLine { get; }
}
