using System.Text;
using System.Text.Json.Nodes;

namespace LayerLens.TestInfrastructure.Fuzzing;

/// <summary>
/// Deterministic input mutations for the readers' fuzz tests: bit flips, truncation, random spans, tar header
/// field edits (sizes huge or negative, type flags, names, link names, with or without a fixed checksum) and
/// JSON edits (wrong types, huge or negative numbers, deep nesting, hostile strings). Seeded, so a failing case
/// is reproduced by its number.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly string[] HostileStrings =
    [
        "", "../../../../etc/passwd", "/etc/passwd", "sha256:", "sha256:../../x", "sha512:" + new string('0', 128), "sha256:" + new string('g', 64),
        "sha256:" + new string('0', 64), "\u0000", "a/../../b", new string('x', 70_000), "linux", "amd64", "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json", "blobs/sha256/../../../x",
    ];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    /// <summary>One generic byte mutation.</summary>
    public byte[] Bytes(byte[] input)
    {
        var data = (byte[])input.Clone();
        switch (_random.Next(6))
        {
            case 0:
                for (var i = _random.Next(1, 9); i > 0 && data.Length > 0; i--)
                {
                    data[_random.Next(data.Length)] ^= (byte)(1 << _random.Next(8));
                }
                return data;
            case 1:
                return data[.._random.Next(data.Length + 1)];
            case 2:
                if (data.Length > 0)
                {
                    var start = _random.Next(data.Length);
                    var span = data.AsSpan(start, Math.Min(data.Length - start, _random.Next(1, 64)));
                    _random.NextBytes(span);
                }
                return data;
            case 3:
                // A duplicated range: entries repeat, offsets shift.
                if (data.Length > 1)
                {
                    var start = _random.Next(data.Length);
                    var length = Math.Min(data.Length - start, _random.Next(1, 2048));
                    return [.. data[..(start + length)], .. data.AsSpan(start, length), .. data[(start + length)..]];
                }
                return data;
            case 4:
                if (data.Length > 0)
                {
                    var start = _random.Next(data.Length);
                    data.AsSpan(start, Math.Min(data.Length - start, _random.Next(1, 600))).Fill(_random.Next(2) == 0 ? (byte)0 : (byte)0xFF);
                }
                return data;
            default:
                return TarHeader(data);
        }
    }

    /// <summary>Edits one field of one 512-byte block that looks like a tar header, and fixes its checksum half the time.</summary>
    public byte[] TarHeader(byte[] input)
    {
        var data = (byte[])input.Clone();
        var headers = new List<int>();
        for (var offset = 0; offset + 512 <= data.Length; offset += 512)
        {
            if (data.AsSpan(offset + 257, 5).SequenceEqual("ustar"u8))
            {
                headers.Add(offset);
            }
        }
        if (headers.Count == 0)
        {
            return Bytes(data);
        }
        var h = headers[_random.Next(headers.Count)];
        switch (_random.Next(8))
        {
            case 0: // size: huge octal, base-256 huge or negative, garbage
                var size = _random.Next(4) switch
                {
                    0 => Encoding.ASCII.GetBytes("77777777777\0"),
                    1 => [0x80, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
                    2 => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE],
                    _ => Encoding.ASCII.GetBytes(Convert.ToString(_random.Next(0, 1 << 20), 8).PadLeft(11, '0') + "\0"),
                };
                size.CopyTo(data, h + 124);
                break;
            case 1:
                data[h + 156] = (byte)"0123456789gxLKSAD\0"[_random.Next(18)];
                break;
            case 2:
                Field(data, h, 100, _random.Next(HostileStrings.Length) is var n && HostileStrings[n].Length < 100 ? HostileStrings[n] : "a/../../../b");
                break;
            case 3:
                Field(data, h + 157, 100, _random.Next(3) switch { 0 => "../../../../etc/passwd", 1 => "/etc/passwd", _ => "." });
                break;
            case 4:
                Field(data, h + 100, 8, _random.Next(2) == 0 ? "7777777" : "xyz");
                break;
            case 5:
                Field(data, h + 345, 155, _random.Next(2) == 0 ? "../.." : new string('p', 154));
                break;
            case 6:
                _random.NextBytes(data.AsSpan(h + _random.Next(500), 8));
                break;
            default:
                Field(data, h + 136, 12, "77777777777");
                break;
        }
        if (_random.Next(2) == 0)
        {
            FixChecksum(data, h);
        }
        return data;
    }

    /// <summary>One JSON edit when the bytes parse as JSON; a byte mutation otherwise (or now and then anyway).</summary>
    public byte[] Json(byte[] input)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(input);
        }
        catch (System.Text.Json.JsonException)
        {
            return Bytes(input);
        }
        if (root is null || _random.Next(8) == 0)
        {
            return Bytes(input);
        }
        try
        {
            return Edit(root);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            return Bytes(input); // duplicate keys or strings that are not UTF-8: JsonNode cannot edit them
        }
    }

    private byte[] Edit(JsonNode parsed)
    {
        JsonNode? root = parsed;
        var nodes = new List<JsonNode>();
        Collect(parsed, nodes);
        var target = nodes[_random.Next(nodes.Count)];
        var replacement = Value();
        if (target.Parent is JsonObject parentObject)
        {
            var key = parentObject.First(p => ReferenceEquals(p.Value, target)).Key;
            if (_random.Next(5) == 0)
            {
                parentObject.Remove(key);
            }
            else
            {
                parentObject[key] = replacement;
            }
        }
        else if (target.Parent is JsonArray parentArray)
        {
            var index = parentArray.IndexOf(target);
            if (_random.Next(5) == 0)
            {
                parentArray.RemoveAt(index);
            }
            else if (_random.Next(5) == 0)
            {
                parentArray.Add(target.DeepClone());
            }
            else
            {
                parentArray[index] = replacement;
            }
        }
        else
        {
            root = replacement;
        }
        var text = root?.ToJsonString() ?? "null";
        // Deep nesting is written as text: JsonNode refuses to build it.
        return _random.Next(30) == 0 ? Encoding.UTF8.GetBytes(new string('[', 5000) + text + new string(']', 5000)) : Encoding.UTF8.GetBytes(text);
    }

    private JsonNode? Value() => _random.Next(12) switch
    {
        0 => null,
        1 => JsonValue.Create(-1),
        2 => JsonValue.Create(long.MaxValue),
        3 => JsonValue.Create(1e300),
        4 => JsonValue.Create(0),
        5 => new JsonArray(),
        6 => new JsonObject(),
        7 => JsonValue.Create(true),
        8 => JsonValue.Create(int.MaxValue),
        9 => JsonNode.Parse("18446744073709551616"),
        _ => JsonValue.Create(HostileStrings[_random.Next(HostileStrings.Length)]),
    };

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (var (_, child) in o)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                {
                    if (child is not null)
                    {
                        Collect(child, nodes);
                    }
                }
                break;
        }
    }

    private static void Field(byte[] data, int offset, int length, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        data.AsSpan(offset, length).Clear();
        bytes.AsSpan(0, Math.Min(bytes.Length, length)).CopyTo(data.AsSpan(offset));
    }

    private static void FixChecksum(byte[] data, int header)
    {
        data.AsSpan(header + 148, 8).Fill((byte)' ');
        var sum = 0;
        foreach (var b in data.AsSpan(header, 512))
        {
            sum += b;
        }
        Encoding.ASCII.GetBytes(Convert.ToString(sum, 8).PadLeft(6, '0') + "\0 ").CopyTo(data, header + 148);
    }
}
