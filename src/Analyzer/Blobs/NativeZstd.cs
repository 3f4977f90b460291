using System.Runtime.InteropServices;

namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// Debian's libzstd (libzstd.so.1), loaded once when present: it decompresses zstd layers in less CPU
/// than ZstdSharp (measured by infra/bench/inflate-bench.sh on a zstd layer). When the library is absent,
/// lacks an export, fails its self-check, or LAYERLENS_ZSTD=managed is set, <see cref="Available"/> is
/// false and layers go through ZstdSharp.
/// </summary>
internal static unsafe class NativeZstd
{
    public const string SettingVariable = "LAYERLENS_ZSTD";
    public const string LibraryName = "libzstd.so.1";

    private static readonly string[] s_exports =
        ["ZSTD_createDStream", "ZSTD_freeDStream", "ZSTD_decompressStream", "ZSTD_isError", "ZSTD_getErrorName", "ZSTD_DStreamInSize"];

    private static readonly delegate* unmanaged<IntPtr> s_create;
    private static readonly delegate* unmanaged<IntPtr, nuint> s_free;
    private static readonly delegate* unmanaged<IntPtr, Buffer*, Buffer*, nuint> s_decompress;
    private static readonly delegate* unmanaged<nuint, uint> s_isError;
    private static readonly delegate* unmanaged<nuint, byte*> s_errorName;

    /// <summary>ZSTD_inBuffer and ZSTD_outBuffer share this layout: pointer, size, position.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Buffer
    {
        public byte* Pointer;
        public nuint Size;
        public nuint Position;
    }

    /// <summary>Why libzstd is not used (null when it is).</summary>
    public static string? Unavailable { get; }

    public static bool Available => Unavailable is null && !ForceManaged;

    /// <summary>The input chunk libzstd recommends (ZSTD_DStreamInSize: one block plus its header).</summary>
    public static int InputSize { get; } = 128 * 1024;

    private static readonly AsyncLocal<bool> s_forceManaged = new();

    /// <summary>Test switch, per async flow (tests run in parallel): route zstd through ZstdSharp even when libzstd is loaded.</summary>
    internal static bool ForceManaged { get => s_forceManaged.Value; set => s_forceManaged.Value = value; }

    static NativeZstd()
    {
        Unavailable = Probe(Environment.GetEnvironmentVariable(SettingVariable), LibraryName, out var library);
        if (Unavailable is not null)
        {
            return;
        }
        s_create = (delegate* unmanaged<IntPtr>)NativeLibrary.GetExport(library, "ZSTD_createDStream");
        s_free = (delegate* unmanaged<IntPtr, nuint>)NativeLibrary.GetExport(library, "ZSTD_freeDStream");
        s_decompress = (delegate* unmanaged<IntPtr, Buffer*, Buffer*, nuint>)NativeLibrary.GetExport(library, "ZSTD_decompressStream");
        s_isError = (delegate* unmanaged<nuint, uint>)NativeLibrary.GetExport(library, "ZSTD_isError");
        s_errorName = (delegate* unmanaged<nuint, byte*>)NativeLibrary.GetExport(library, "ZSTD_getErrorName");
        InputSize = (int)Math.Clamp((long)((delegate* unmanaged<nuint>)NativeLibrary.GetExport(library, "ZSTD_DStreamInSize"))(), 4096, 1 << 20);
        Unavailable = SelfCheck();
    }

    /// <summary>Why <paramref name="libraryName"/> cannot serve as the zstd decoder under this setting (null when it can).</summary>
    internal static string? Probe(string? setting, string libraryName, out IntPtr library)
    {
        library = IntPtr.Zero;
        if (string.Equals(setting, "managed", StringComparison.OrdinalIgnoreCase))
        {
            return $"{SettingVariable}=managed";
        }
        if (!NativeLibrary.TryLoad(libraryName, out library))
        {
            return $"{libraryName} not found";
        }
        foreach (var export in s_exports)
        {
            if (!NativeLibrary.TryGetExport(library, export, out _))
            {
                return $"{libraryName} lacks {export}";
            }
        }
        return null;
    }

    public static IntPtr Create() => s_create();

    public static void Free(IntPtr stream) => s_free(stream);

    /// <summary>One ZSTD_decompressStream step; an error code raises InvalidDataException with zstd's own error name (as ZstdSharp's ZstdException carries).</summary>
    public static nuint Decompress(IntPtr stream, Buffer* output, Buffer* input)
    {
        var result = s_decompress(stream, output, input);
        if (s_isError(result) != 0)
        {
            throw new InvalidDataException(Marshal.PtrToStringUTF8((IntPtr)s_errorName(result)) ?? "zstd error");
        }
        return result;
    }

    // zstd -19 of "layerlens": decoding it proves the calls above match the loaded library.
    private static readonly byte[] s_known =
    [
        0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x68, 0x49, 0x00, 0x00, 0x6c, 0x61, 0x79, 0x65, 0x72, 0x6c, 0x65,
        0x6e, 0x73, 0x48, 0xd2, 0xf7, 0xc9,
    ];

    private static string? SelfCheck()
    {
        try
        {
            using var stream = new NativeZstdStream(new MemoryStream(s_known));
            var output = new byte[64];
            var got = stream.ReadAtLeast(output, output.Length, throwOnEndOfStream: false);
            return output.AsSpan(0, got).SequenceEqual("layerlens"u8) ? null : $"{LibraryName} failed its self-check";
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return $"{LibraryName} failed its self-check ({ex.Message})";
        }
    }
}
