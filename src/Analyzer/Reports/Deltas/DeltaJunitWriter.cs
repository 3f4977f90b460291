using System.Globalization;
using System.Xml;
using LayerLens.Analyzer.Reports.Schema;

namespace LayerLens.Analyzer.Reports.Deltas;

/// <summary>JUnit XML of a delta: one test case per regression rule; a failed rule fails, a warned one passes and says so.</summary>
public static class DeltaJunitWriter
{
    public static void Write(DeltaReport report, Stream output)
    {
        var verdict = report.Baseline.Verdict;
        using var w = XmlWriter.Create(output, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) });
        w.WriteStartDocument();
        w.WriteStartElement("testsuites");
        w.WriteStartElement("testsuite");
        w.WriteAttributeString("name", "layerlens regression " + Clean(report.Current.Name));
        w.WriteAttributeString("tests", verdict.Rules.Count.ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("failures", verdict.Failures.Count().ToString(CultureInfo.InvariantCulture));
        w.WriteAttributeString("errors", "0");
        foreach (var r in verdict.Rules)
        {
            w.WriteStartElement("testcase");
            w.WriteAttributeString("classname", "layerlens.regression");
            w.WriteAttributeString("name", r.Rule);
            var detail = Clean($"before {r.Before}, after {r.After}, limit {r.Threshold}");
            if (r.Outcome == RegressionOutcome.Failed)
            {
                w.WriteStartElement("failure");
                w.WriteAttributeString("message", Clean(r.Message));
                w.WriteAttributeString("type", r.Rule);
                w.WriteString(detail);
                w.WriteEndElement();
            }
            else
            {
                w.WriteElementString("system-out", Clean((r.Outcome == RegressionOutcome.Warned ? "warning: " : "") + r.Message + "; " + detail));
            }
            w.WriteEndElement();
        }
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndDocument();
    }

    /// <summary>XML 1.0 cannot carry control characters (a hostile finding message may): they become spaces.</summary>
    private static string Clean(string text)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (i + 1 < chars.Length && XmlConvert.IsXmlSurrogatePair(chars[i + 1], chars[i]))
            {
                i++;
            }
            else if (!XmlConvert.IsXmlChar(chars[i]))
            {
                chars[i] = ' ';
            }
        }
        return new string(chars);
    }
}
