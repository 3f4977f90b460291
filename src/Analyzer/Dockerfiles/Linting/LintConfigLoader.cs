using YamlDotNet.RepresentationModel;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>
/// Reads <c>.hadolint.yaml</c> / <c>layerlens.yaml</c>: <c>ignored</c>, <c>override.{error,warning,info,style}</c>,
/// <c>failure-threshold</c> and <c>trustedRegistries</c>. Rule ids may be LayerLens, hadolint or BuildKit names.
/// </summary>
public static class LintConfigLoader
{
    public const long MaxConfigBytes = 1024 * 1024;

    /// <summary>The top-level keys this loader reads; a CI rules reader of the same file leaves them to it.</summary>
    public static IReadOnlySet<string> Sections { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "ignored", "override", "failure-threshold", "failureThreshold", "trustedRegistries", "trusted-registries",
    };

    public static LintOptions Load(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new FormatException($"{path}: no such file");
        }
        if (info.Length > MaxConfigBytes)
        {
            throw new FormatException($"{path}: configuration larger than {MaxConfigBytes} bytes");
        }
        return Parse(File.ReadAllText(path), path);
    }

    public static LintOptions Parse(string yaml, string name = "config")
    {
        var options = new LintOptions();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new FormatException($"{name}:{ex.Start.Line}: {ex.Message}", ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return options;
        }
        foreach (var (keyNode, value) in root.Children)
        {
            var key = (keyNode as YamlScalarNode)?.Value ?? "";
            switch (key)
            {
                case "ignored":
                    options.Ignored.UnionWith(Strings(value));
                    break;
                case "override":
                    if (value is YamlMappingNode overrides)
                    {
                        foreach (var (levelNode, ids) in overrides.Children)
                        {
                            if (!SeverityNames.TryParse((levelNode as YamlScalarNode)?.Value, out var severity))
                            {
                                throw new FormatException($"{name}:{levelNode.Start.Line}: unknown severity '{levelNode}' in override");
                            }
                            foreach (var idNode in Scalars(ids))
                            {
                                var id = idNode.Value!;
                                // A misspelt id would silently keep the rule's severity: name it, with its line.
                                if (RuleCatalog.Find(id) is null)
                                {
                                    throw new FormatException($"{name}:{idNode.Start.Line}: override.{levelNode}: unknown lint rule '{id}' (use a LayerLens, hadolint or BuildKit rule id)");
                                }
                                options.Overrides[id] = severity;
                            }
                        }
                    }
                    break;
                case "failure-threshold":
                case "failureThreshold":
                    var text = (value as YamlScalarNode)?.Value;
                    if (string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
                    {
                        options.FailureThreshold = null;
                    }
                    else if (SeverityNames.TryParse(text, out var threshold))
                    {
                        options.FailureThreshold = threshold;
                    }
                    else
                    {
                        throw new FormatException($"{name}: unknown failure-threshold '{text}'");
                    }
                    break;
                case "trustedRegistries":
                case "trusted-registries":
                    options.TrustedRegistries.AddRange(Strings(value));
                    break;
            }
        }
        return options;
    }

    /// <summary>A scalar or a sequence of scalars, as hadolint accepts both.</summary>
    public static IEnumerable<string> Strings(YamlNode node) => Scalars(node).Select(s => s.Value!);

    /// <summary>The non-empty scalars of <see cref="Strings"/>, with their positions for error messages.</summary>
    private static IEnumerable<YamlScalarNode> Scalars(YamlNode node) => node switch
    {
        YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Where(s => !string.IsNullOrEmpty(s.Value)),
        YamlScalarNode scalar when !string.IsNullOrEmpty(scalar.Value) => [scalar],
        _ => [],
    };
}
