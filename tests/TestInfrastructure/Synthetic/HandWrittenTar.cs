using System.Globalization;
using System.Text;

namespace LayerLens.TestInfrastructure.Synthetic;

/// <summary>Tar blocks written by hand, for headers no tar writer would produce (hostile sizes, odd layouts).</summary>
public static class HandWrittenTar
{
    /// <summary>A ustar header block (type, name, size), checksum computed as tar does.</summary>
    public static byte[] HeaderBlock(char type, string name, long size)
    {
        var block = new byte[512];
        void Put(int at, string text) => Encoding.ASCII.GetBytes(text).CopyTo(block, at);
        Put(0, name);
        Put(100, "0000644\0");
        Put(108, "0000000\0");
        Put(116, "0000000\0");
        Put(124, Convert.ToString(size, 8).PadLeft(11, '0') + "\0");
        Put(136, "00000000000\0");
        block[156] = (byte)type;
        Put(257, "ustar\0" + "00");
        Put(148, "        ");
        Put(148, Convert.ToString(block.Sum(b => b), 8).PadLeft(6, '0') + "\0 ");
        return block;
    }

    /// <summary>The data, then zeros up to the next 512-byte boundary.</summary>
    public static void Padded(Stream tar, byte[] data)
    {
        tar.Write(data);
        tar.Write(new byte[(512 - data.Length % 512) % 512]);
    }

    /// <summary>"LEN key=value\n" with LEN counting itself, as PAX writes it.</summary>
    public static string PaxRecord(string key, string value)
    {
        var body = Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value) + 3;
        var length = body + 1;
        while (length != body + length.ToString(CultureInfo.InvariantCulture).Length)
        {
            length = body + length.ToString(CultureInfo.InvariantCulture).Length;
        }
        return $"{length} {key}={value}\n";
    }
}
