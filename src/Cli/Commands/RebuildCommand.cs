using System.CommandLine;
using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Rebuild;

namespace LayerLens.Cli.Commands;

/// <summary>
/// <c>layerlens rebuild &lt;source&gt; --output &lt;dest&gt;</c>: write the image without dead bytes, keeping the base layers
/// that are worth sharing, proved equivalent before anything is published. Exit 0 written, 2 refused (bad
/// input, existing destination, no room), 3 the proof failed (a LayerLens bug; nothing written).
/// </summary>
internal static class RebuildCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("source")
        {
            Description = "docker-archive:PATH[:NAME|:@INDEX], oci:DIR[:TAG], oci-archive:PATH[:TAG], docker://REF, or a path whose format is detected",
        };
        var output = new Option<string>("--output", "-o") { Description = "oci:DIR[:TAG], oci-archive:PATH[:TAG], docker-archive:PATH[:NAME] or docker://REF", Required = true };
        var compression = new Option<string>("--compression") { Description = "compression of the rewritten layers", DefaultValueFactory = _ => "gzip" };
        compression.AcceptOnlyFromAmong("gzip", "zstd");
        var layers = new Option<int?>("--layers") { Description = "at most N rewritten layers (neighbours merged by size)" };
        var squash = new Option<bool>("--squash") { Description = "write the whole filesystem as one layer (keeps no base layer)" };
        var force = new Option<bool>("--force") { Description = "replace the destination (a file, or a registry tag) if it exists" };
        var baseImage = new Option<string?>("--base") { Description = "keep exactly the layers of this base image (any analyze source); they must be the source's first layers" };
        var dropJunk = new Option<bool>("--drop-junk") { Description = "also remove the junk the analysis finds (package indexes and caches, __pycache__, .git, temp files) from the rewritten layers" };
        var linkDuplicates = new Option<bool>("--link-duplicates") { Description = "turn identical files (same content and metadata) into hard links" };
        var format = new Option<string>("--format") { Description = "text or json (json lists every changed path)", DefaultValueFactory = _ => "text" };
        format.AcceptOnlyFromAmong("text", "json");
        var platform = new Option<string?>("--platform") { Description = "os/arch[/variant] to pick from a multi-platform image" };
        var creds = new Option<string?>("--creds") { Description = "registry credentials user:password (the source's; also the destination's when it is on the same registry or the source is a file)" };
        var destCreds = new Option<string?>("--dest-creds") { Description = "credentials user:password for a docker:// destination" };
        var insecure = new Option<bool>("--insecure") { Description = "allow plain-HTTP registries on loopback addresses" };

        var command = new Command("rebuild", "Write the image without dead bytes: base layers kept, the rest re-layered, proved equivalent.");
        command.Arguments.Add(source);
        foreach (var option in new Option[] { output, compression, layers, squash, force, baseImage, dropJunk, linkDuplicates, format, platform, creds, destCreds, insecure })
        {
            command.Options.Add(option);
        }
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                if (parse.GetValue(layers) is < 1)
                {
                    throw new ArgumentException("--layers must be at least 1");
                }
                var options = new ImageOpenOptions
                {
                    Platform = parse.GetValue(platform) is { } p ? Platform.Parse(p) : null,
                    Registry = RegistryOptionsFactory.Create(parse.GetValue(creds), parse.GetValue(insecure)),
                };
                var sourceSpec = ImageSourceSpec.Parse(parse.GetValue(source)!);
                var destination = RebuildDestination.Parse(parse.GetValue(output)!);
                var request = new RebuildRequest(sourceSpec, options, destination)
                {
                    DestinationRegistry = DestinationRegistry(sourceSpec, destination, parse.GetValue(creds), parse.GetValue(destCreds), parse.GetValue(insecure)),
                    Compression = parse.GetValue(compression) == "zstd" ? RebuildCompression.Zstd : RebuildCompression.Gzip,
                    MaxLayers = parse.GetValue(layers),
                    Squash = parse.GetValue(squash),
                    Force = parse.GetValue(force),
                    Base = parse.GetValue(baseImage) is { } b ? ImageSourceSpec.Parse(b) : null,
                    DropJunk = parse.GetValue(dropJunk),
                    LinkDuplicates = parse.GetValue(linkDuplicates),
                };
                var progress = new Progress<string>(step => Console.Error.WriteLine($"layerlens: {step}"));
                var result = await ImageRebuilder.RunAsync(request, progress, cancellationToken);
                Console.Out.Write(parse.GetValue(format) == "json"
                    ? System.Text.Json.JsonSerializer.Serialize(result, JsonOptions) + "\n"
                    : Describe(result));
                return ExitCodes.Passed;
            }
            catch (Exception ex) when (ex is InvalidImageException or RebuildRefusedException or ArgumentException or Analyzer.Images.Registry.RegistryException)
            {
                await Console.Error.WriteLineAsync($"layerlens: {ex.Message}");
                return ExitCodes.BadInput;
            }
            catch (EquivalenceFailedException ex)
            {
                await Console.Error.WriteLineAsync($"layerlens: {ex.Message}");
                return ExitCodes.InternalError;
            }
        });
        return command;
    }

    private static readonly System.Text.Json.JsonSerializerOptions JsonOptions = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>Changed paths the text report names; the rest is counted (JSON lists them all).</summary>
    internal const int ChangedPathsListed = 20;

    /// <summary>
    /// --dest-creds, else --creds when they cannot belong to another registry (the source is a file, or on the
    /// same registry), else the environment's and the docker auth file's: the source's password never goes to another host.
    /// </summary>
    private static Analyzer.Images.Registry.RegistryOptions? DestinationRegistry(ImageSourceSpec source, RebuildDestination destination, string? creds, string? destCreds, bool insecure)
    {
        if (destination.Registry is not { } target)
        {
            return null;
        }
        if (destCreds is not null)
        {
            return RegistryOptionsFactory.Create(destCreds, insecure);
        }
        var sameHost = source.Kind != ImageSourceKind.Registry || Analyzer.Images.Registry.RegistryReference.Parse(source.Location).Host == target.Host;
        return RegistryOptionsFactory.Create(sameHost ? creds : null, insecure);
    }

    private static string Describe(RebuildResult r)
    {
        var text = new System.Text.StringBuilder();
        void Line(string s) => text.Append(s).Append('\n');
        if (r.Push is { } push)
        {
            Line($"Pushed      {push.Reference}@{push.Digest}");
            Line(FormattableString.Invariant($"Uploaded    {push.BytesUploaded:N0} bytes in {push.BlobsUploaded} blob(s); {push.BytesSkipped:N0} bytes in {push.BlobsSkipped} blob(s) the registry already had"));
        }
        Line($"Wrote       {r.Destination} (manifest {r.ManifestDigest})");
        Line(r.ChangedPaths.Count == 0
            ? FormattableString.Invariant($"Proof       {r.PathsProved:N0} paths identical (type, mode, owner, content, links, devices, xattrs, mtime); config identical")
            : FormattableString.Invariant($"Proof       {r.PathsProved:N0} paths as intended: identical except the {r.ChangedPaths.Count:N0} changed on purpose below; config identical"));
        Line(FormattableString.Invariant($"Layers      {r.LayersBefore} -> {r.LayersAfter} ({r.KeptLayers.Count} kept byte-identical)"));
        Line(FormattableString.Invariant($"Size        {r.BytesBefore:N0} -> {r.BytesAfter:N0} bytes"));
        Line(FormattableString.Invariant($"Compressed  {r.CompressedBytesBefore:N0} -> {r.CompressedBytesAfter:N0} bytes"));
        Line(FormattableString.Invariant($"Dead bytes  {r.DeadBytesBefore:N0} -> {r.DeadBytesAfter:N0}"));
        Line(FormattableString.Invariant($"Pull        {r.PullBytesWithKeptLayers:N0} bytes for a host that holds the kept layers"));
        Line(FormattableString.Invariant($"Final       {r.FinalBytes:N0} bytes in {r.FileCount:N0} files"));
        foreach (var reason in r.KeptReasons)
        {
            Line("  " + reason);
        }
        if (r.DeadBytesInKeptLayers > 0)
        {
            Line(FormattableString.Invariant($"  {r.DeadBytesInKeptLayers:N0} dead bytes stay in the kept base layers"));
        }
        if (r.ChangedPaths.Count > 0 || r.JunkInKeptLayers.Count > 0)
        {
            Line(FormattableString.Invariant($"Changed     {r.ChangedPaths.Count:N0} paths on purpose: {r.JunkBytesDropped:N0} junk bytes dropped, {r.DuplicateBytesSaved:N0} bytes saved by hard links"));
            foreach (var c in r.ChangedPaths.Take(ChangedPathsListed))
            {
                Line(FormattableString.Invariant($"  /{c.Path}: {c.Change}{(c.Bytes > 0 ? $" ({c.Bytes:N0} bytes)" : "")}"));
            }
            if (r.ChangedPaths.Count > ChangedPathsListed)
            {
                Line(FormattableString.Invariant($"  ... and {r.ChangedPaths.Count - ChangedPathsListed:N0} more (--format json lists every path)"));
            }
            if (r.JunkInKeptLayers.Count > 0)
            {
                Line(FormattableString.Invariant($"  junk left in kept layers (kept byte-identical): {r.JunkInKeptLayers.Count:N0} files, {r.JunkInKeptLayers.Sum(j => j.Bytes):N0} bytes, e.g. /{r.JunkInKeptLayers[0].Path} in layer {r.JunkInKeptLayers[0].Layer}"));
            }
        }
        return text.ToString();
    }
}
