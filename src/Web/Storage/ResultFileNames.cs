namespace LayerLens.Web.Storage;

/// <summary>The names a run's result files may have: plain lower-case names, never a path (they become paths and tags).</summary>
public static class ResultFileNames
{
    private static readonly System.Buffers.SearchValues<char> Allowed = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789._-");

    public static string Check(string fileName)
    {
        if (fileName.Length is 0 or > 64 || fileName.AsSpan().ContainsAnyExcept(Allowed) || fileName.StartsWith('.'))
        {
            throw new ArgumentException($"'{fileName}' is not a result file name", nameof(fileName));
        }
        return fileName;
    }
}
