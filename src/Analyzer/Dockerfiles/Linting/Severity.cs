namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>Finding severity, ordered so that a larger value is more severe (hadolint's levels).</summary>
public enum Severity
{
    Style = 0,
    Info = 1,
    Warning = 2,
    Error = 3,
}

public static class SeverityNames
{
    public static string ToName(this Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        Severity.Info => "info",
        _ => "style",
    };

    public static bool TryParse(string? text, out Severity severity)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case "error": severity = Severity.Error; return true;
            case "warning": severity = Severity.Warning; return true;
            case "info": severity = Severity.Info; return true;
            case "style": severity = Severity.Style; return true;
            default: severity = Severity.Style; return false;
        }
    }
}
