using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;
using LayerLens.Analyzer.Dockerfiles.Output;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Reports;

/// <summary>Writes a lint report as table, json, sarif, markdown, junit or checkstyle.</summary>
public static class LintReportWriters
{
    public static readonly string[] Formats = ["table", "json", "sarif", "markdown", "junit", "checkstyle"];

    public static void Write(LintReport report, string format, Stream stream)
    {
        switch (format)
        {
            case "json": WriteJson(report, stream); break;
            case "sarif": SarifWriter.Write(report, stream); break;
            case "markdown": WriteText(stream, Markdown(report)); break;
            case "junit": WriteJUnit(report, stream); break;
            case "checkstyle": WriteCheckstyle(report, stream); break;
            default: WriteText(stream, Table(report)); break;
        }
    }

    private static void WriteText(Stream stream, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        stream.Write(bytes);
    }

    public static string Table(LintReport report)
    {
        var sb = new StringBuilder();
        foreach (var (file, line, message) in report.Errors)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{file}:{line} error parse {message}\n");
        }
        foreach (var f in report.Findings)
        {
            var ids = string.Join("/", new[] { f.HadolintId, f.BuildkitCheck }.Where(x => x != null));
            sb.Append(CultureInfo.InvariantCulture, $"{f.File}:{f.Line}:{f.Column} {f.Severity.ToName(),-7} {f.RuleId}{(ids.Length > 0 ? " (" + ids + ")" : "")} {f.Message}\n");
        }
        sb.Append(CultureInfo.InvariantCulture, $"{report.Files.Count} file(s), {report.Findings.Count} finding(s): {(report.Passed ? "passed" : "failed")}\n");
        return sb.ToString();
    }

    public static string Markdown(LintReport report)
    {
        var sb = new StringBuilder();
        sb.Append("## LayerLens Dockerfile lint: ").Append(report.Passed ? "passed" : "failed").Append("\n\n");
        if (report.Findings.Count == 0 && report.Errors.Count == 0)
        {
            sb.Append("No findings in ").Append(report.Files.Count).Append(" file(s).\n");
            return sb.ToString();
        }
        sb.Append("| File | Line | Severity | Rule | Message |\n|---|---|---|---|---|\n");
        foreach (var (file, line, message) in report.Errors)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {Cell(file)} | {line} | error | parse | {Cell(message)} |\n");
        }
        foreach (var f in report.Findings)
        {
            var rule = f.RuleId + (f.HadolintId != null ? $" ({f.HadolintId})" : "") + (f.BuildkitCheck != null ? $" ({f.BuildkitCheck})" : "");
            sb.Append(CultureInfo.InvariantCulture, $"| {Cell(f.File)} | {f.Line} | {f.Severity.ToName()} | {Cell(rule)} | {Cell(f.Message)} |\n");
        }
        return sb.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal);

    private static void WriteJson(LintReport report, Stream stream) => LintJsonWriter.Write(report, stream);

    private static XmlWriter Xml(Stream stream) =>
        XmlWriter.Create(stream, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), CheckCharacters = false });

    private static void WriteJUnit(LintReport report, Stream stream)
    {
        using var x = Xml(stream);
        x.WriteStartElement("testsuites");
        x.WriteAttributeString("name", "layerlens lint");
        x.WriteAttributeString("tests", (report.Findings.Count + report.Errors.Count + report.Files.Count).ToString(CultureInfo.InvariantCulture));
        x.WriteAttributeString("failures", (report.Failures.Count() + report.Errors.Count).ToString(CultureInfo.InvariantCulture));
        foreach (var file in report.Files)
        {
            var findings = report.Findings.Where(f => f.File == file).ToList();
            var errors = report.Errors.Where(e => e.File == file).ToList();
            x.WriteStartElement("testsuite");
            x.WriteAttributeString("name", file);
            x.WriteAttributeString("tests", Math.Max(1, findings.Count + errors.Count).ToString(CultureInfo.InvariantCulture));
            x.WriteAttributeString("failures", (findings.Count(f => report.FailureThreshold is { } t && f.Severity >= t) + errors.Count).ToString(CultureInfo.InvariantCulture));
            if (findings.Count == 0 && errors.Count == 0)
            {
                x.WriteStartElement("testcase");
                x.WriteAttributeString("name", "lint");
                x.WriteAttributeString("classname", file);
                x.WriteEndElement();
            }
            foreach (var (_, line, message) in errors)
            {
                x.WriteStartElement("testcase");
                x.WriteAttributeString("name", $"parse:{line}");
                x.WriteAttributeString("classname", file);
                x.WriteStartElement("failure");
                x.WriteAttributeString("message", message);
                x.WriteAttributeString("type", "error");
                x.WriteEndElement();
                x.WriteEndElement();
            }
            foreach (var f in findings)
            {
                x.WriteStartElement("testcase");
                x.WriteAttributeString("name", $"{f.RuleId}:{f.Line}");
                x.WriteAttributeString("classname", file);
                var failing = report.FailureThreshold is { } t && f.Severity >= t;
                x.WriteStartElement(failing ? "failure" : "system-out");
                if (failing)
                {
                    x.WriteAttributeString("message", f.Message);
                    x.WriteAttributeString("type", f.Severity.ToName());
                }
                x.WriteString($"{f.File}:{f.Line}:{f.Column} {f.RuleId} {f.Message}");
                x.WriteEndElement();
                x.WriteEndElement();
            }
            x.WriteEndElement();
        }
        x.WriteEndElement();
    }

    private static void WriteCheckstyle(LintReport report, Stream stream)
    {
        using var x = Xml(stream);
        x.WriteStartElement("checkstyle");
        x.WriteAttributeString("version", "4.3");
        foreach (var file in report.Files)
        {
            x.WriteStartElement("file");
            x.WriteAttributeString("name", file);
            foreach (var (_, line, message) in report.Errors.Where(e => e.File == file))
            {
                x.WriteStartElement("error");
                x.WriteAttributeString("line", line.ToString(CultureInfo.InvariantCulture));
                x.WriteAttributeString("severity", "error");
                x.WriteAttributeString("message", message);
                x.WriteAttributeString("source", "LayerLens.parse");
                x.WriteEndElement();
            }
            foreach (var f in report.Findings.Where(f => f.File == file))
            {
                x.WriteStartElement("error");
                x.WriteAttributeString("line", f.Line.ToString(CultureInfo.InvariantCulture));
                x.WriteAttributeString("column", f.Column.ToString(CultureInfo.InvariantCulture));
                x.WriteAttributeString("severity", f.Severity == Severity.Style ? "info" : f.Severity.ToName());
                x.WriteAttributeString("message", f.Message);
                x.WriteAttributeString("source", "LayerLens." + f.RuleId);
                x.WriteEndElement();
            }
            x.WriteEndElement();
        }
        x.WriteEndElement();
    }
}
