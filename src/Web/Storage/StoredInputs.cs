using LayerLens.Data.Model;
using Microsoft.EntityFrameworkCore;

namespace LayerLens.Web.Storage;

/// <summary>The blobs analyses keep in the store: the upload or Dockerfile, its build context, build log, history and Dockerfile text.</summary>
public static class StoredInputs
{
    public static IEnumerable<string> Of(Analysis analysis) =>
        new[] { analysis.InputDigest, analysis.BuildContextDigest, analysis.BuildLogDigest, analysis.ChangeHistoryDigest, analysis.DockerfileTextDigest }
            .OfType<string>().Distinct(StringComparer.Ordinal);

    public static async Task<HashSet<string>> OfAsync(IQueryable<Analysis> analyses)
    {
        var rows = await analyses.Select(a => new { a.InputDigest, a.BuildContextDigest, a.BuildLogDigest, a.ChangeHistoryDigest, a.DockerfileTextDigest }).ToListAsync();
        return rows.SelectMany(r => new[] { r.InputDigest, r.BuildContextDigest, r.BuildLogDigest, r.ChangeHistoryDigest, r.DockerfileTextDigest })
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
    }
}
