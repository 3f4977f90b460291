using LayerLens.TestInfrastructure.Processes;

namespace LayerLens.TestInfrastructure.Images;

/// <summary>
/// buildah with a private store per platform under the cache directory. Stores are per platform because
/// buildah 1.28's layer cache ignores --platform: a cross-platform build would otherwise poison host builds.
/// </summary>
internal sealed class Buildah(string cacheDirectory)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public Task<ProcessResult> RunAsync(ImagePlatform platform, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var store = Path.Combine(cacheDirectory, "buildah", platform.Slug);
        string[] global =
        [
            "--root", Path.Combine(store, "storage"),
            "--runroot", Path.Combine(store, "run"),
            "--storage-driver", "vfs",
        ];
        var (file, args) = Privileges.AsRoot("buildah", global.Concat(arguments));
        return ProcessRunner.RunAsync(file, args, new ProcessOptions { Timeout = Timeout }, cancellationToken);
    }

    public static Task<ProcessResult> SkopeoAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var (file, args) = Privileges.AsRoot("skopeo", arguments);
        return ProcessRunner.RunAsync(file, args, new ProcessOptions { Timeout = Timeout }, cancellationToken);
    }
}
