using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Parsing;

namespace LayerLens.Analyzer.Reports;

/// <summary>
/// The Dockerfile an image was built from, as the CI names it (a path in its repository), so code scanning
/// can show image findings on that file. With the file's text, a layer's history <c>createdBy</c> is matched
/// to the final stage's instruction that produced it; otherwise findings point at line 1.
/// </summary>
public sealed class SarifDockerfile
{
    private readonly List<Instruction> _finalStage = [];

    public SarifDockerfile(string path, string? text = null)
    {
        Path = path;
        if (text is null)
        {
            return;
        }
        try
        {
            var document = DockerfileDocument.Parse(text, path);
            var last = document.Instructions.Where(i => i.Stage is not null).Select(i => i.Stage).LastOrDefault();
            _finalStage.AddRange(document.Instructions.Where(i => i.Stage == last && i.Keyword != "FROM"));
        }
        catch (DockerfileParseException)
        {
            // An unparsable Dockerfile still names the file; every finding points at line 1.
        }
    }

    public string Path { get; }

    /// <summary>
    /// buildah and the classic builder write "/bin/sh -c COMMAND" or "/bin/sh -c #(nop) KEYWORD ..."; BuildKit
    /// "RUN /bin/sh -c COMMAND # buildkit" or "COPY src dest # buildkit". A RUN matches by its command text, any
    /// other instruction by its keyword and arguments; the last match wins (later steps override earlier ones).
    /// </summary>
    public int LineFor(string? createdBy)
    {
        if (createdBy is null || _finalStage.Count == 0)
        {
            return 1;
        }
        var text = InstructionText.OneLine(createdBy);
        for (var i = _finalStage.Count - 1; i >= 0; i--)
        {
            var instruction = _finalStage[i];
            var wanted = instruction.Keyword == "RUN"
                ? InstructionText.OneLine(instruction.ArgumentText)
                : InstructionText.OneLine(instruction.Keyword + " " + instruction.ArgumentText);
            if (wanted.Length > 0 && text.Contains(wanted, StringComparison.Ordinal))
            {
                return instruction.StartLine;
            }
        }
        return 1;
    }
}
