using LayerLens.Analyzer.Blobs;
using System.Security.Cryptography;
using LayerLens.Analyzer.Dockerfiles.Parsing;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Images.Registry;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Analyses;
using LayerLens.Analyzer.BuildContexts.Archives;

namespace LayerLens.Web.Jobs;

/// <summary>
/// What members see when their analysis fails. Bad input is explained in the engine's own words (those messages name
/// the entry, line or reference, never a server path). Anything else is a server fault: its message may name server
/// paths, library internals or other workspaces' work directories, so members get a short reference instead and the
/// whole exception goes to the log under it.
/// </summary>
public static class FailureMessages
{
    public const int MaxLength = 8000;

    public static string ForMembers(Exception ex, Analysis analysis, BlobStore blobs, string dataDirectory)
    {
        var message = ex is InvalidImageException or RegistryException or ArgumentException or InvalidDataException
            or ContextArchiveException or DockerfileParseException
            or LayerLens.Web.Storage.ArtifactMissingException
            ? ex.Message
            : $"internal error (reference {Reference()}): the server failed while analysing; its administrator finds the details in the server log under this reference";
        if (analysis.InputDigest is { } digest)
        {
            // Never show the server's blob path; name the upload instead.
            message = UploadedImage.HidePath(message, blobs.PathOf(digest), analysis.DisplayName);
        }
        if (Path.GetFullPath(dataDirectory).TrimEnd(Path.DirectorySeparatorChar) is { Length: > 1 } root)
        {
            // An input error that still quotes a file of the data directory shows it relative to it.
            message = message.Replace(root, "<data>", StringComparison.Ordinal);
        }
        return message.Length > MaxLength ? message[..MaxLength] : message;
    }

    private static string Reference() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
}
