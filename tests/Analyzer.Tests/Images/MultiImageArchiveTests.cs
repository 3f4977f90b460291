using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images;
using LayerLens.Analyzer.Tests.Analysis;
using LayerLens.TestInfrastructure.Synthetic;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Images;

/// <summary>
/// <c>docker save a b</c>: one archive, several images. Built here from a real buildah docker-archive
/// and the hand-computed scenario image (see <see cref="MultiImageDockerArchive"/>).
/// </summary>
[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class MultiImageArchiveTests : IDisposable
{
    private const string WasteTag = "localhost:5000/team/waste:v1";
    private const string ScenarioTag = "docker.io/library/scenario:latest";
    private readonly TempDir _temp = new();

    private async Task<string> CombinedArchiveAsync()
    {
        var real = (await RealImages.GetAsync())["docker-archive"].Path;
        var scenario = Path.Combine(_temp.Path, "scenario.tar");
        ScenarioImage.Create().WriteDockerArchiveClassic(scenario);
        var combined = Path.Combine(_temp.Path, "both.tar");
        MultiImageDockerArchive.Merge(combined, (real, WasteTag), (scenario, ScenarioTag));
        return combined;
    }

    [Fact]
    public async Task Each_image_is_chosen_by_its_tag_and_gives_its_own_numbers()
    {
        var archive = await CombinedArchiveAsync();

        var waste = await AnalyzeHelper.AnalyzeAsync($"docker-archive:{archive}:{WasteTag}");
        // docker's spelling of the same name: docker.io/library/ and :latest implied.
        var scenario = await AnalyzeHelper.AnalyzeAsync($"docker-archive:{archive}:scenario");

        RealImageTests.AssertFirstPrinciples(waste);
        Assert.Equal(ScenarioImage.SizeBytes, scenario.SizeBytes);
        Assert.Equal(ScenarioImage.FinalBytes, scenario.FinalBytes);
        Assert.Equal(ScenarioImage.WastedBytes, scenario.WastedBytes);
        Assert.Equal(ScenarioImage.FileCount, scenario.FileCount);
    }

    [Fact]
    public async Task An_image_can_be_chosen_by_its_index()
    {
        var archive = await CombinedArchiveAsync();

        var second = await AnalyzeHelper.AnalyzeAsync($"docker-archive:{archive}:@1");

        Assert.Equal(ScenarioImage.FinalBytes, second.FinalBytes);
        Assert.Equal(3, second.Layers.Count);
    }

    [Fact]
    public async Task Without_a_choice_the_error_lists_the_tags()
    {
        var archive = await CombinedArchiveAsync();

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync("docker-archive:" + archive));

        Assert.Contains("holds 2 images", ex.Message);
        Assert.Contains($"@0: {WasteTag}", ex.Message);
        Assert.Contains($"@1: {ScenarioTag}", ex.Message);
        Assert.Contains("docker-archive:PATH:NAME", ex.Message);
    }

    [Theory]
    [InlineData("team/waste:v1")]
    [InlineData("@2")]
    public async Task An_unknown_choice_is_refused_listing_the_tags(string choice)
    {
        var archive = await CombinedArchiveAsync();

        var ex = await Assert.ThrowsAsync<InvalidImageException>(() => AnalyzeHelper.AnalyzeAsync($"docker-archive:{archive}:{choice}"));

        Assert.Contains(archive, ex.Message);
        Assert.Contains(WasteTag, ex.Message);
        Assert.Contains(ScenarioTag, ex.Message);
    }

    [Theory]
    [InlineData("alpine", "docker.io/library/alpine:latest")]
    [InlineData("user/app:1", "docker.io/user/app:1")]
    [InlineData("localhost:5000/app", "localhost:5000/app:latest")]
    public void Names_are_compared_as_docker_resolves_them(string a, string b)
    {
        Assert.Equal(DockerArchiveReader.NormalizeName(a), DockerArchiveReader.NormalizeName(b));
    }

    public void Dispose() => _temp.Dispose();
}
