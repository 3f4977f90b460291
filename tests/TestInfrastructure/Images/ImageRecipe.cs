using System.Text;

namespace LayerLens.TestInfrastructure.Images;

/// <summary>
/// What to build: a Dockerfile and its context. Immutable; the <c>With…</c> methods return new recipes.
/// </summary>
public sealed class ImageRecipe
{
    /// <summary>Where busybox-static installs its binary.</summary>
    public const string HostBusyboxPath = "/bin/busybox";

    /// <summary>
    /// The usual base: a scratch image with static busybox and its applet symlinks, so RUN steps have a
    /// shell without pulling anything from the network.
    /// </summary>
    public const string BusyboxBase =
        "FROM scratch\n" +
        "COPY busybox /bin/busybox\n" +
        "RUN [\"/bin/busybox\", \"--install\", \"-s\", \"/bin\"]\n";

    private const UnixFileMode RegularFile =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    private const UnixFileMode Executable = RegularFile |
        UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private readonly IReadOnlyList<ContextEntry> _entries;

    private ImageRecipe(string name, string dockerfile, IReadOnlyList<ContextEntry> entries)
    {
        if (string.IsNullOrWhiteSpace(name) || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.' or '_'))
        {
            throw new ArgumentException($"Image name '{name}' must be lower-case letters, digits, '-', '.' or '_'.", nameof(name));
        }

        Name = name;
        Dockerfile = dockerfile;
        _entries = entries;
    }

    /// <summary>Short name used in tags and file names (lower case).</summary>
    public string Name { get; }

    public string Dockerfile { get; }

    public IReadOnlyList<ContextEntry> Entries => _entries;

    /// <summary>A recipe from a full Dockerfile text.</summary>
    public static ImageRecipe FromDockerfile(string name, string dockerfile) => new(name, dockerfile, []);

    /// <summary>
    /// A recipe whose Dockerfile starts with <see cref="BusyboxBase"/> followed by <paramref name="instructions"/>;
    /// the busybox binary is put in the context.
    /// </summary>
    public static ImageRecipe OnBusybox(string name, string instructions) =>
        new ImageRecipe(name, BusyboxBase + instructions, [])
            .WithHostFile("busybox", HostBusyboxPath, executable: true);

    public ImageRecipe WithFile(string path, byte[] content, bool executable = false) =>
        With(new BytesEntry(path, content, executable ? Executable : RegularFile));

    public ImageRecipe WithFile(string path, string content, bool executable = false) =>
        WithFile(path, Encoding.UTF8.GetBytes(content), executable);

    public ImageRecipe WithHostFile(string path, string hostPath, bool executable = false) =>
        With(new HostFileEntry(path, hostPath, executable ? Executable : RegularFile));

    /// <summary>
    /// Adds content written by <paramref name="write"/> into the context directory. <paramref name="cacheKey"/>
    /// stands for that content in the cache hash (e.g. "random-64MiB-seed-7").
    /// </summary>
    public ImageRecipe WithGenerated(string cacheKey, Func<string, CancellationToken, Task> write) =>
        With(new GeneratedEntry(cacheKey, write));

    private ImageRecipe With(ContextEntry entry) => new(Name, Dockerfile, [.. _entries, entry]);
}
