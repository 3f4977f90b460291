using LayerLens.Analyzer.Layers;

namespace LayerLens.Analyzer.Waste;

/// <summary>
/// Collects dead bytes as the layers merge, aggregated on the fly by (kind, root node, shipping
/// layer, causing layer) so a deleted directory of 10,000 files is one item, not 10,000.
/// </summary>
internal sealed class WasteAccumulator
{
    private readonly Dictionary<(WasteKind Kind, int Root, int Layer, int Cause), (long Bytes, int Files, int FirstNode)> _items = [];

    /// <param name="root">The node the item is reported under (the deleted directory, or the file's parent).</param>
    /// <param name="node">The file whose bytes died.</param>
    public void Add(WasteKind kind, int root, int node, long bytes, int layer, int cause)
    {
        if (bytes <= 0)
        {
            return;
        }
        var key = (kind, root, layer, cause);
        _items[key] = _items.TryGetValue(key, out var v) ? (v.Bytes + bytes, v.Files + 1, v.FirstNode) : (bytes, 1, node);
    }

    public IEnumerable<WasteItem> Items(PathTable paths)
    {
        foreach (var (key, value) in _items)
        {
            // Overwrites are grouped by parent directory; a group of one names its file.
            var node = key.Kind is WasteKind.Deleted || value.Files > 1 ? key.Root : value.FirstNode;
            yield return new WasteItem(key.Kind, paths.PathOf(node), value.Bytes, key.Layer, key.Cause, value.Files);
        }
    }
}
