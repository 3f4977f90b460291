using LayerLens.Analyzer.Blobs;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LayerLens.Analyzer.Images;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure.Fuzzing;

namespace LayerLens.Analyzer.Tests.Images;

/// <summary>
/// Mutated images through the engine's readers (open + analyse): an OCI layout directory, an oci-archive and a
/// classic docker-archive, each a few thousand seeded cases. A member (index, manifest, config JSON or a layer
/// tar) is mutated and, most of the time, every digest, size, diff_id and file name that refers to it is
/// recomputed, so the damage reaches the JSON readers and the layer tar reader instead of stopping at a digest
/// check; sometimes the outer archive's bytes are damaged instead. Each case ends in an analysis or an
/// <see cref="InvalidImageException"/> with a message — never another exception or a hang.
/// </summary>
public sealed partial class ImageReaderFuzzTests
{
    private const int Cases = 1500;

    private static SyntheticImage Image(LayerCompression compression) => new(
        new LayerTarBuilder().Dir("app").File("app/a", "hello\n").File("app/b", 3000, seed: 7).Symlink("app/l", "a").HardLink("app/h", "app/a").Build(),
        new LayerTarBuilder().Whiteout("app/b").Dir("etc").File("etc/conf", "x=1\n").Opaque("app").Build())
    {
        Compression = compression,
    };

    [Fact]
    public Task Mutated_oci_layouts_analyse_or_fail_as_invalid_images() => Run("oci", 21, dir =>
    {
        Image(LayerCompression.None).WriteOciLayout(dir);
        return Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Select(f => (Path.GetRelativePath(dir, f).Replace('\\', '/'), File.ReadAllBytes(f))).ToList();
    });

    [Fact]
    public Task Mutated_oci_archives_analyse_or_fail_as_invalid_images() => Run("oci-archive", 22, dir =>
    {
        var path = Path.Combine(dir, "image.tar");
        Image(LayerCompression.Gzip).WriteOciArchive(path);
        return Members(path);
    });

    [Fact]
    public Task Mutated_docker_archives_analyse_or_fail_as_invalid_images() => Run("docker-archive", 23, dir =>
    {
        var path = Path.Combine(dir, "image.tar");
        Image(LayerCompression.None).WriteDockerArchiveClassic(path);
        return Members(path);
    });

    private static async Task Run(string kind, int seed, Func<string, List<(string Name, byte[] Bytes)>> build)
    {
        using var temp = new TempDir();
        Directory.CreateDirectory(temp.File("valid"));
        var valid = build(temp.File("valid"));
        var mutator = new Mutator(seed);
        var analysed = 0;
        for (var n = 0; n < Cases; n++)
        {
            var members = valid.Select(m => (m.Name, (byte[])m.Bytes.Clone())).ToList();
            var pick = mutator.Random.Next(members.Count);
            var (name, bytes) = members[pick];
            members[pick] = (name, LooksLikeJson(bytes) || mutator.Random.Next(4) == 0 ? mutator.Json(bytes) : mutator.Bytes(bytes));
            if (mutator.Random.Next(4) != 0)
            {
                Rehash(members);
            }
            var source = Write(kind, temp.File($"case-{n % 2}"), members, mutator);
            var task = AnalyzeHelper.AnalyzeAsync(source);
            // A generous timeout, only to tell a hang from a failure.
            Assert.True(await Task.WhenAny(task, Task.Delay(TimeSpan.FromSeconds(30))) == task, $"{kind} case {n} (seed {seed}) did not finish in 30 s");
            try
            {
                await task;
                analysed++;
            }
            catch (InvalidImageException ex)
            {
                Assert.False(string.IsNullOrWhiteSpace(ex.Message), $"{kind} case {n}: an empty message");
            }
            catch (Exception ex)
            {
                Assert.Fail($"{kind} case {n} (seed {seed}, member {name}) threw {ex.GetType().Name}: {ex}");
            }
        }
        Assert.True(analysed > 10, $"only {analysed} of {Cases} {kind} cases analysed: the mutations never reach the success path");
    }

    private static string Write(string kind, string path, List<(string Name, byte[] Bytes)> members, Mutator mutator)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        if (File.Exists(path))
        {
            File.Delete(path);
        }
        if (kind == "oci")
        {
            foreach (var (name, bytes) in members)
            {
                var file = Path.Combine(path, name);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, bytes);
            }
            return "oci:" + path;
        }
        using (var buffer = new MemoryStream())
        {
            using (var tar = new TarWriter(buffer, TarEntryFormat.Pax, leaveOpen: true))
            {
                foreach (var (name, bytes) in members)
                {
                    SyntheticImage.Add(tar, name, bytes);
                }
            }
            var archive = buffer.ToArray();
            // Now and then the outer archive itself is damaged.
            File.WriteAllBytes(path, mutator.Random.Next(5) == 0 ? mutator.Bytes(archive) : archive);
        }
        return kind + ":" + path;
    }

    /// <summary>
    /// Renames every member whose name carries a content hash (blobs/sha256/H, H.json, H/layer.tar) that no longer
    /// matches, and rewrites the references (digests, sizes, diff_ids, paths) in the JSON members; repeated until
    /// stable, since rewriting a config changes its own hash.
    /// </summary>
    private static void Rehash(List<(string Name, byte[] Bytes)> members)
    {
        for (var round = 0; round < 6; round++)
        {
            var renames = new Dictionary<string, (string Hex, long Size)>(StringComparer.Ordinal);
            foreach (var (name, bytes) in members)
            {
                var match = HashedName().Match(name);
                var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
                if (match.Success && match.Groups["hex"].Value != actual)
                {
                    renames.TryAdd(match.Groups["hex"].Value, (actual, bytes.Length));
                }
            }
            if (renames.Count == 0)
            {
                return;
            }
            for (var i = 0; i < members.Count; i++)
            {
                var (name, bytes) = members[i];
                foreach (var (old, (hex, _)) in renames)
                {
                    name = name.Replace(old, hex, StringComparison.Ordinal);
                }
                members[i] = (name, Rewrite(bytes, renames));
            }
        }
    }

    private static byte[] Rewrite(byte[] bytes, Dictionary<string, (string Hex, long Size)> renames)
    {
        if (!LooksLikeJson(bytes))
        {
            return bytes;
        }
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(bytes);
        }
        catch (System.Text.Json.JsonException)
        {
            return bytes;
        }
        if (root is null)
        {
            return bytes;
        }
        try
        {
            var changed = Visit(root, renames);
            return changed ? Encoding.UTF8.GetBytes(root.ToJsonString()) : bytes;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return bytes; // strings that are not UTF-8, duplicate keys: left as the mutation made them
        }
    }

    private static bool Visit(JsonNode node, Dictionary<string, (string Hex, long Size)> renames)
    {
        var changed = false;
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                {
                    if (o[key] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        foreach (var (old, (hex, size)) in renames)
                        {
                            if (s.Contains(old, StringComparison.Ordinal))
                            {
                                o[key] = s = s.Replace(old, hex, StringComparison.Ordinal);
                                changed = true;
                                if (key == "digest" && o.ContainsKey("size"))
                                {
                                    o["size"] = size;
                                }
                            }
                        }
                    }
                    else if (o[key] is { } child)
                    {
                        changed |= Visit(child, renames);
                    }
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s))
                    {
                        foreach (var (old, (hex, _)) in renames)
                        {
                            if (s.Contains(old, StringComparison.Ordinal))
                            {
                                a[i] = s = s.Replace(old, hex, StringComparison.Ordinal);
                                changed = true;
                            }
                        }
                    }
                    else if (a[i] is { } child)
                    {
                        changed |= Visit(child, renames);
                    }
                }
                break;
        }
        return changed;
    }

    private static bool LooksLikeJson(byte[] bytes) => bytes.Length > 0 && bytes[0] is (byte)'{' or (byte)'[';

    private static List<(string Name, byte[] Bytes)> Members(string archive)
    {
        var members = new List<(string, byte[])>();
        using var reader = new TarReader(File.OpenRead(archive));
        while (reader.GetNextEntry() is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            members.Add((entry.Name, content.ToArray()));
        }
        return members;
    }

    [GeneratedRegex("(?:^blobs/sha256/|^)(?<hex>[0-9a-f]{64})(?:$|\\.json$|/layer\\.tar$)")]
    private static partial Regex HashedName();
}
