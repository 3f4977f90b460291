using LayerLens.Analyzer.Blobs;
using LayerLens.TestInfrastructure.Synthetic;

namespace LayerLens.Analyzer.Tests.Blobs;

/// <summary>How the engine's layer stream refuses a damaged blob, for the tests that compare two decoders.</summary>
internal static class LayerRefusal
{
    /// <summary>
    /// The layer's refusal through the engine's layer stream (null when it reads through): the blob digest is the
    /// damaged blob's own, as a hostile archive would declare it, so the decoder and the diff_id check must refuse.
    /// <paramref name="useFallback"/> switches the decoder while the stream is made (its constructor picks one).
    /// </summary>
    public static string? Of(byte[] blob, byte[] content, Action<bool> useFallback, bool fallback)
    {
        var layer = new LayerBlob
        {
            Index = 2,
            Digest = SyntheticImage.Sha256(blob),
            DiffId = SyntheticImage.Sha256(content),
            MediaType = null,
            CompressedSize = blob.Length,
            Open = _ => Task.FromResult<Stream>(new MemoryStream(blob)),
        };
        useFallback(fallback);
        LayerBlobStream stream;
        try
        {
            stream = new LayerBlobStream(new MemoryStream(blob), layer, AnalysisLimits.Default, new ImageByteBudget(long.MaxValue));
        }
        finally
        {
            useFallback(false);
        }
        using (stream)
        {
            try
            {
                stream.Complete();
                return null;
            }
            catch (InvalidImageException ex)
            {
                return ex.GetType().Name + ": " + ex.Message;
            }
        }
    }
}
