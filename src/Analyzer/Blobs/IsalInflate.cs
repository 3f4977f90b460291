using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Debian's ISA-L inflate (libisal.so.2), loaded once when present. It inflates gzip layers in about 80 % of
/// zlib-ng's CPU time. When the library is absent, fails its self-check, or LAYERLENS_INFLATE=zlib is set,
/// <see cref="Available"/> is false and layers go through GZipStream.
/// </summary>
internal static unsafe class IsalInflate
{
    public const string DisableVariable = "LAYERLENS_INFLATE";

    // struct inflate_state of isa-l 2.30 (x86-64), measured with offsetof()/sizeof on /usr/include/isa-l/igzip_lib.h.
    // Only these fields are touched; the rest is ISA-L's own. The self-check below catches a layout change.
    public const int StateSize = 87368;
    public const int NextOutOffset = 0;      // uint8_t *next_out
    public const int AvailOutOffset = 8;     // uint32_t avail_out
    public const int NextInOffset = 16;      // uint8_t *next_in
    public const int AvailInOffset = 32;     // uint32_t avail_in
    public const int BlockStateOffset = 21160; // enum isal_block_state block_state (int)
    public const int CrcFlagOffset = 21172;  // uint32_t crc_flag

    public const int Gzip = 1;               // ISAL_GZIP: parse the gzip header, check CRC and size
    public const int BlockFinish = 5;        // ISAL_BLOCK_FINISH: member and its trailer done
    public const int IncorrectChecksum = -6; // ISAL_INCORRECT_CHECKSUM

    private static readonly delegate* unmanaged<IntPtr, void> s_init;
    private static readonly delegate* unmanaged<IntPtr, void> s_reset;
    private static readonly delegate* unmanaged<IntPtr, int> s_inflate;

    /// <summary>Why ISA-L is not used (null when it is).</summary>
    public static string? Unavailable { get; }

    public static bool Available => Unavailable is null && !ForceZlib;

    private static readonly AsyncLocal<bool> s_forceZlib = new();

    /// <summary>Test switch, per async flow (tests run in parallel): route gzip through GZipStream even when ISA-L is loaded.</summary>
    internal static bool ForceZlib { get => s_forceZlib.Value; set => s_forceZlib.Value = value; }

    static IsalInflate()
    {
        Unavailable = Probe(Environment.GetEnvironmentVariable(DisableVariable), "libisal.so.2", out var library);
        if (Unavailable is not null)
        {
            return;
        }
        s_init = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "isal_inflate_init");
        s_reset = (delegate* unmanaged<IntPtr, void>)NativeLibrary.GetExport(library, "isal_inflate_reset");
        s_inflate = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "isal_inflate");
        Unavailable = SelfCheck();
    }

    /// <summary>Why <paramref name="libraryName"/> cannot serve as the inflater under this setting (null when it can).</summary>
    internal static string? Probe(string? setting, string libraryName, out IntPtr library)
    {
        library = IntPtr.Zero;
        if (string.Equals(setting, "zlib", StringComparison.OrdinalIgnoreCase))
        {
            return $"{DisableVariable}=zlib";
        }
        if (!NativeLibrary.TryLoad(libraryName, out library))
        {
            return $"{libraryName} not found";
        }
        foreach (var export in (string[])["isal_inflate_init", "isal_inflate_reset", "isal_inflate"])
        {
            if (!NativeLibrary.TryGetExport(library, export, out _))
            {
                return $"{libraryName} lacks {export}";
            }
        }
        return null;
    }

    public static void Init(IntPtr state) => s_init(state);

    public static void Reset(IntPtr state) => s_reset(state);

    public static int Inflate(IntPtr state) => s_inflate(state);

    // gzip -n of "layerlens": inflating it through the offsets above proves they match the loaded library.
    private static readonly byte[] s_known =
    [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xcb, 0x49, 0xac, 0x4c, 0x2d, 0xca,
        0x49, 0xcd, 0x2b, 0x06, 0x00, 0x5a, 0x59, 0x5a, 0xef, 0x09, 0x00, 0x00, 0x00,
    ];

    private static string? SelfCheck()
    {
        try
        {
            using var stream = new IsalGzipStream(new MemoryStream(s_known));
            var output = new byte[64];
            var got = stream.ReadAtLeast(output, output.Length, throwOnEndOfStream: false);
            return output.AsSpan(0, got).SequenceEqual("layerlens"u8) ? null : "libisal.so.2 failed its self-check (struct layout?)";
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return $"libisal.so.2 failed its self-check ({ex.Message})";
        }
    }
}
