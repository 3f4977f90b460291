using System.Runtime.InteropServices;
using Arch = System.Runtime.InteropServices.Architecture;

namespace LayerLens.TestInfrastructure.Images;

/// <summary>An OS/architecture pair as written in OCI indexes, e.g. <c>linux/arm64/v8</c>.</summary>
public sealed record ImagePlatform(string Os, string Architecture, string? Variant = null)
{
    public static ImagePlatform LinuxAmd64 { get; } = new("linux", "amd64");

    public static ImagePlatform LinuxArm64 { get; } = new("linux", "arm64", "v8");

    /// <summary>The machine's own platform: builds for it run their RUN steps natively.</summary>
    public static ImagePlatform Host { get; } = new("linux", RuntimeInformation.OSArchitecture switch
    {
        Arch.X64 => "amd64",
        Arch.Arm64 => "arm64",
        Arch.X86 => "386",
        Arch.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    });

    /// <summary>True when this platform needs no emulation here (variant aside).</summary>
    public bool IsHost => Os == Host.Os && Architecture == Host.Architecture;

    public override string ToString() => Variant is null ? $"{Os}/{Architecture}" : $"{Os}/{Architecture}/{Variant}";

    /// <summary>A name usable in file and tag names.</summary>
    internal string Slug => ToString().Replace('/', '-');
}
