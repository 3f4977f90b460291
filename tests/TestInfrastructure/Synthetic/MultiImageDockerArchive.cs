using System.Formats.Tar;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LayerLens.TestInfrastructure.Synthetic;

/// <summary>
/// <c>docker save a b</c>: one archive, several images, merged from single-image docker-archives the way docker
/// writes them (one manifest.json entry per image, retagged; layers side by side, each file once).
/// </summary>
public static class MultiImageDockerArchive
{
    public const string OtherTag = "example/other:1";
    public const string ScenarioTag = "example/scenario:2";

    /// <summary>A one-layer image unlike <see cref="ScenarioImage"/> in every layer.</summary>
    public static SyntheticImage Other() => new(new LayerTarBuilder().Dir("opt").File("opt/other.bin", 4321, seed: 77).Build());

    /// <summary>
    /// Writes <see cref="Other"/> (@0, <see cref="OtherTag"/>) and <see cref="ScenarioImage"/> (@1, <see cref="ScenarioTag"/>)
    /// as one archive, returning the two images written (their layers carry the time they were built).
    /// </summary>
    public static (SyntheticImage Other, SyntheticImage Scenario) WriteOtherAndScenario(string path)
    {
        var other = path + ".other.tar";
        var scenario = path + ".scenario.tar";
        try
        {
            var images = (Other(), ScenarioImage.Create());
            images.Item1.WriteDockerArchiveClassic(other);
            images.Item2.WriteDockerArchiveClassic(scenario);
            Merge(path, (other, OtherTag), (scenario, ScenarioTag));
            return images;
        }
        finally
        {
            File.Delete(other);
            File.Delete(scenario);
        }
    }

    /// <summary>The diff_ids a report lists for <paramref name="image"/>: sha256 of each uncompressed layer tar.</summary>
    public static IEnumerable<string> DiffIds(SyntheticImage image) => image.LayerTars.Select(SyntheticImage.Sha256);

    public static void Merge(string output, params (string Archive, string Tag)[] inputs)
    {
        var manifest = new JsonArray();
        var written = new HashSet<string>(StringComparer.Ordinal);
        using var writer = new TarWriter(File.Create(output), TarEntryFormat.Pax);
        foreach (var (archive, tag) in inputs)
        {
            using var reader = new TarReader(File.OpenRead(archive));
            while (reader.GetNextEntry(copyData: true) is { } entry)
            {
                if (entry.Name == "manifest.json")
                {
                    var entries = JsonNode.Parse(entry.DataStream!)!.AsArray();
                    if (entries.Count != 1)
                    {
                        throw new InvalidDataException($"{archive}: holds {entries.Count} images; merge single-image archives");
                    }
                    var single = entries[0]!.DeepClone();
                    single["RepoTags"] = new JsonArray(tag);
                    manifest.Add(single);
                }
                else if (entry.Name != "repositories" && written.Add(entry.Name))
                {
                    writer.WriteEntry(entry);
                }
            }
        }
        var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest);
        writer.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "manifest.json") { DataStream = new MemoryStream(bytes) });
    }
}
