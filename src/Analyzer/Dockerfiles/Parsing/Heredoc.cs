namespace LayerLens.Analyzer.Dockerfiles.Parsing;

/// <summary>A heredoc attached to RUN/COPY/ADD: its name, file descriptor, whether its body is expanded, whether tabs are chomped.</summary>
public sealed record Heredoc(string Name, int FileDescriptor, bool Expand, bool Chomp)
{
    /// <summary>Every body line with its own line break, as BuildKit stores it.</summary>
    public string Content { get; set; } = "";

    /// <summary>1-based first body line and terminator line.</summary>
    public int StartLine { get; set; }

    public int EndLine { get; set; }
}
