namespace LayerLens.TestInfrastructure.Synthetic;

/// <summary>Layer contents that stress a decompressor beyond the small scenario layers: size and long pax names.</summary>
public static class DecoderStressLayers
{
    /// <summary>24 MiB: half random (incompressible), half repetitive, in alternating 1 MiB runs.</summary>
    public static byte[] Large()
    {
        var bytes = new byte[24 << 20];
        var random = new Random(16);
        for (var run = 0; run < 24; run++)
        {
            var span = bytes.AsSpan(run << 20, 1 << 20);
            if (run % 2 == 0)
            {
                random.NextBytes(span);
            }
            else
            {
                for (var i = 0; i < span.Length; i++)
                {
                    span[i] = (byte)("layerlens "[i % 10] + (i >> 12) % 3);
                }
            }
        }
        return bytes;
    }

    /// <summary>A pax layer tar of 300 files whose paths pass the 100-byte ustar name field.</summary>
    public static byte[] LongNames()
    {
        var builder = new LayerTarBuilder();
        for (var i = 0; i < 300; i++)
        {
            builder.File($"usr/share/{new string('d', 90)}/{i}/file-{i}.txt", 1 + i * 13 % 4000, seed: i);
        }
        return builder.Build();
    }
}
