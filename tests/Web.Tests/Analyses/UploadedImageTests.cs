using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.Data.Blobs;
using LayerLens.Data.Model;
using LayerLens.Web.Analyses;

namespace LayerLens.Web.Tests.Analyses;

/// <summary>Messages about an upload name it as the user knows it and never show where the server keeps it.</summary>
public sealed class UploadedImageTests : IDisposable
{
    // A data directory with spaces: no fragment of it may reach the user.
    private readonly string _dir = Path.Combine(Directory.CreateTempSubdirectory("layerlens-upload-").FullName, "layer lens data");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_dir)!, recursive: true);

    [Fact]
    public void Every_occurrence_of_a_blob_path_with_spaces_is_replaced_whole()
    {
        var blobs = new BlobStore(_dir);
        var path = blobs.PathOf("sha256:" + new string('a', 64));
        var message = $"{path}: layer 1 '{path}!/blobs/sha256/x' is missing; see {path}";

        var hidden = UploadedImage.HidePath(message, path, "app.tar");

        Assert.Equal("app.tar: layer 1 'app.tar!/blobs/sha256/x' is missing; see app.tar", hidden);
    }

    [Fact]
    public async Task A_refused_choice_names_the_upload_and_no_part_of_a_data_directory_with_spaces()
    {
        var blobs = new BlobStore(_dir);
        var archive = Path.Combine(Path.GetDirectoryName(_dir)!, "two.tar");
        MultiImageDockerArchive.WriteOtherAndScenario(archive);
        StoredBlob stored;
        await using (var stream = File.OpenRead(archive))
        {
            stored = await blobs.WriteAsync(stream, long.MaxValue, CancellationToken.None);
        }
        var analysis = new Analysis { Kind = AnalysisKind.Image, SourceKind = SourceKind.Upload, SourceReference = "two.tar", InputDigest = stored.Digest, ArchiveImage = "example/missing:1" };

        var refused = await Assert.ThrowsAsync<IntakeException>(() => UploadedImage.CheckChoiceAsync(new LayerLens.Web.Storage.LocalArtifactStore(blobs, new LayerLens.Web.Storage.DataLayout(new LayerLens.Web.Configuration.ResolvedSettings(_dir, LayerLens.Data.DatabaseProvider.Sqlite, "", LayerLens.Web.Configuration.JobStorageProvider.Embedded, "", false))), Guid.NewGuid(), analysis, CancellationToken.None));

        Assert.StartsWith("two.tar: no image tagged 'example/missing:1'", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("layer lens", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Path.GetDirectoryName(_dir)!, refused.Message, StringComparison.Ordinal);
    }
}
