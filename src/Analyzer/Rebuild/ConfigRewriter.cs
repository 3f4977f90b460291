using System.Text.Json.Nodes;
using LayerLens.Analyzer.Blobs;

namespace LayerLens.Analyzer.Rebuild;

/// <summary>
/// The source config with only rootfs.diff_ids and history changed: every other field (Env, Entrypoint,
/// Cmd, User, WorkingDir, ExposedPorts, Volumes, Labels, StopSignal, Healthcheck, created …) is copied as
/// parsed JSON. History: kept layers keep their entries; a rewritten layer's entry sits where its last source
/// layer's was and names the source layers it holds; the other source layers' entries stay, marked empty.
/// </summary>
internal static class ConfigRewriter
{
    public static JsonNode Rewrite(byte[] source, int kept, IReadOnlyList<LayerGroup> groups, IReadOnlyList<bool> groupWritten, IReadOnlyList<string> diffIds, int sourceLayers)
    {
        var config = JsonNode.Parse(source) as JsonObject ?? throw new InvalidImageException("config: not a JSON object");
        config["rootfs"] = new JsonObject
        {
            ["type"] = "layers",
            ["diff_ids"] = new JsonArray(diffIds.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
        };
        if (config["history"] is not JsonArray history)
        {
            return config;
        }
        if (history.Count(h => h?["empty_layer"]?.GetValue<bool>() != true) != sourceLayers)
        {
            // A history that does not describe the source layers cannot describe the new ones: drop it rather than mislead.
            config.Remove("history");
            return config;
        }
        var rewritten = new JsonArray();
        var layer = 0;
        var lastOf = groups.Select((g, i) => (g.Last, i)).ToDictionary(x => x.Last, x => x.i);
        var groupOf = new Dictionary<int, int>();
        for (var g = 0; g < groups.Count; g++)
        {
            for (var i = groups[g].First; i <= groups[g].Last; i++)
            {
                groupOf[i] = g;
            }
        }
        foreach (var item in history)
        {
            var entry = item?.DeepClone() as JsonObject ?? new JsonObject();
            var empty = entry["empty_layer"]?.GetValue<bool>() == true;
            if (!empty)
            {
                var index = layer++;
                if (index >= kept)
                {
                    var g = groupOf[index];
                    if (lastOf.TryGetValue(index, out var last) && groupWritten[last])
                    {
                        entry["comment"] = $"layerlens rebuild: source layers {groups[g].First}-{groups[g].Last} rewritten without dead bytes";
                    }
                    else
                    {
                        entry["empty_layer"] = true;
                        entry["comment"] = groupWritten[g]
                            ? $"layerlens rebuild: its files are in the layer rewritten from source layers {groups[g].First}-{groups[g].Last}"
                            : "layerlens rebuild: nothing of this layer is visible in the final filesystem";
                    }
                }
            }
            rewritten.Add(entry);
        }
        config["history"] = rewritten;
        return config;
    }
}
