using System.Globalization;
using System.Xml;
using LayerLens.Analyzer.Analysis;
using LayerLens.Analyzer.Reports.Verdicts;

namespace LayerLens.Analyzer.Reports;

/// <summary>JUnit XML: one test case per CI rule, failed rules as failures.</summary>
public sealed class JunitReportWriter : IReportWriter
{
    public void Write(ImageAnalysis a, Verdict verdict, Stream output)
    {
        using var w = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
        var failures = verdict.Failures.Count();
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteStartElement("testsuite");
        w.WriteAttributeString("name", "layerlens " + a.Reference);
        w.WriteAttributeString("tests", verdict.Rules.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", failures.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("errors", "0");
        foreach (var r in verdict.Rules)
        {
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", "layerlens.ci");
            w.WriteAttributeString("name", r.Rule);
            if (!r.Passed)
            {
                w.WriteStartElement("failure");
                w.WriteAttributeString("message", r.Message);
                w.WriteAttributeString("type", r.Rule);
                w.WriteString($"actual {r.Actual}, threshold {r.Threshold}");
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        w.WriteStartElement("system-out");
        w.WriteString($"efficiency {a.Efficiency.ToString("0.####", CultureInfo.InvariantCulture)}, wasted {a.WastedBytes} bytes, duplicates {a.DuplicateBytes} bytes");
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }
}
