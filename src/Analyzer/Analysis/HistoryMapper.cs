using LayerLens.Analyzer.Images;

namespace LayerLens.Analyzer.Analysis;

/// <summary>Maps config history to layers (entries marked empty_layer have none) and summarises the runtime config.</summary>
public static class HistoryMapper
{
    public static string?[] CreatedBy(ImageConfigFile config, int layerCount)
    {
        var result = new string?[layerCount];
        var layer = 0;
        foreach (var entry in config.History ?? [])
        {
            if (entry.EmptyLayer)
            {
                continue;
            }
            if (layer >= layerCount)
            {
                break;
            }
            result[layer++] = entry.CreatedBy;
        }
        return result;
    }

    public static ImageConfigSummary Summarize(ImageConfigFile config)
    {
        var c = config.Config;
        return new ImageConfigSummary
        {
            Env = c?.Env ?? [],
            Entrypoint = c?.Entrypoint,
            Cmd = c?.Cmd,
            WorkingDir = string.IsNullOrEmpty(c?.WorkingDir) ? null : c.WorkingDir,
            User = string.IsNullOrEmpty(c?.User) ? null : c.User,
            ExposedPorts = c?.ExposedPorts?.Keys.Order(StringComparer.Ordinal).ToList() ?? [],
            Labels = c?.Labels ?? new Dictionary<string, string>(),
        };
    }
}
