namespace LayerLens.Analyzer.Blobs;

/// <summary>
/// The input is not a valid image (or breaks a limit). The message names the blob, layer and entry
/// involved so a user can find the culprit; front ends map it to "bad input" (exit code 2).
/// </summary>
public class InvalidImageException : Exception
{
    public InvalidImageException(string message) : base(message) { }

    public InvalidImageException(string message, Exception inner) : base(message, inner) { }
}
