using System.Security.Cryptography;
using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.Analyzer.Tests.Rebuild;

/// <summary>
/// An unpacked root filesystem described independently of LayerLens: GNU stat for type, mode, owner,
/// inode and device numbers, sha256 of file contents, the raw symlink target, and each hard-linked file
/// named with the smallest path sharing its inode.
/// </summary>
internal static class RootfsWalk
{
    public static async Task<SortedDictionary<string, string>> DescribeAsync(string root)
    {
        var stat = await ProcessRunner.RunAsync("find", [root, "-mindepth", "1", "-exec", "stat", "-c", "%i|%h|%a|%u|%g|%t,%T|%F|%n", "{}", "+"]);
        var rows = stat.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('|', 8))
            .Select(f => (Inode: f[0], Links: int.Parse(f[1]), Mode: f[2], Uid: f[3], Gid: f[4], Device: f[5], Type: f[6], Path: Path.GetRelativePath(root, f[7])))
            .ToList();
        var leaders = rows.Where(r => r.Type == "regular file" || r.Type == "regular empty file")
            .Where(r => r.Links > 1)
            .GroupBy(r => r.Inode)
            .SelectMany(g => g.Select(r => (r.Path, Leader: g.Select(x => x.Path).Order(StringComparer.Ordinal).First())))
            .ToDictionary(x => x.Path, x => x.Leader);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in rows)
        {
            var full = Path.Combine(root, r.Path);
            var what = r.Type switch
            {
                "symbolic link" => "-> " + new FileInfo(full).LinkTarget,
                "regular file" or "regular empty file" => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(full))),
                "character special file" or "block special file" => "device " + r.Device,
                _ => "",
            };
            var link = leaders.TryGetValue(r.Path, out var l) && l != r.Path ? " linked to " + l : "";
            result[r.Path] = $"{r.Type} {r.Mode} {r.Uid}:{r.Gid} {what}{link}";
        }
        return result;
    }

    /// <summary>umoci unpacks an OCI layout image into bundle/rootfs.</summary>
    public static async Task<SortedDictionary<string, string>> UnpackAndDescribeAsync(string layout, string tag, string bundle)
    {
        await ProcessRunner.RunAsync("umoci", ["unpack", "--image", $"{layout}:{tag}", bundle]);
        return await DescribeAsync(Path.Combine(bundle, "rootfs"));
    }
}
