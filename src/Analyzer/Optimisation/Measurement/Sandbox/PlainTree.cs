namespace LayerLens.Analyzer.Optimisation.Measurement.Sandbox;

/// <summary>
/// Checks before root reads or writes what a build left behind (the pushed OCI layout, the image id, the context
/// it edits next): only directories and regular files with one link, nothing that leads elsewhere. A symlink,
/// a hard link, a FIFO or a device could point root's reader or writer at another file or block it. Checked
/// with <c>find -P</c>, which never follows a link, after every process of the build has been killed, so
/// nothing can change the tree between the check and the use.
/// </summary>
public static class PlainTree
{
    /// <summary>The first path under <paramref name="directory"/> (itself included) that is not a plain directory or a regular file with one link, or null.</summary>
    public static string? FirstUnsafe(string directory)
    {
        var found = Find([directory, "(", "(", "!", "-type", "f", "!", "-type", "d", ")", "-o", "(", "-type", "f", "!", "-links", "1", ")", ")", "-print", "-quit"]);
        return found.Length == 0 ? null : found;
    }

    /// <summary>
    /// Throws unless every component of <paramref name="relativePath"/> below <paramref name="root"/> is a real
    /// directory and the last a regular file with one link.
    /// </summary>
    public static string EnsurePlainFile(string root, string relativePath)
    {
        var path = root;
        var parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i] is "." or "..")
            {
                throw new InvalidOperationException($"'{relativePath}' is not a plain path");
            }
            path = Path.Combine(path, parts[i]);
            var last = i == parts.Length - 1;
            var test = last ? new[] { path, "-maxdepth", "0", "-type", "f", "-links", "1", "-print" } : [path, "-maxdepth", "0", "-type", "d", "-print"];
            if (Find(test).Length == 0)
            {
                throw new InvalidOperationException($"'{relativePath}' in the build's context is no longer a plain {(last ? "file" : "directory path")} (a link or special file at '{parts[i]}'): refusing to touch it");
            }
        }
        return path;
    }

    /// <summary>Bytes in regular files under a directory already checked with <see cref="FirstUnsafe"/>.</summary>
    public static long Bytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }).Sum(f => f.Length);

    private static string Find(IEnumerable<string> args)
    {
        var output = TimedProcess.RunAsync("find", ["-P", .. args], TimeSpan.FromMinutes(2), CancellationToken.None).GetAwaiter().GetResult();
        if (output.ExitCode != 0)
        {
            throw new InvalidOperationException("checking the build's output failed: " + output.Tail());
        }
        return output.Lines.Count == 0 ? "" : output.Lines[0].Line;
    }
}
