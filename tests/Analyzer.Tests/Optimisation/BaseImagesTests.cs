using LayerLens.Analyzer.Optimisation.Measurement;
using LayerLens.TestInfrastructure;

namespace LayerLens.Analyzer.Tests.Optimisation;

[Trait(Needs.Trait, Needs.Root)]
[Trait(Needs.Trait, Needs.Buildah)]
public sealed class BaseImagesTests
{
    [Fact]
    public void External_bases_are_the_from_images_after_arg_expansion_without_scratch_or_stages()
    {
        var dockerfile = "ARG NODE=22\nARG EMPTY\nFROM node:${NODE} AS build\nRUN npm ci\nFROM build AS test\nFROM scratch\nFROM --platform=linux/amd64 registry.example.com/team/base:1\nCOPY --from=build /app /app\nFROM node:22\nFROM ${EMPTY}\n";

        var bases = BaseImages.External(dockerfile);

        Assert.Equal([new BaseImageReference("node:22", 3), new BaseImageReference("registry.example.com/team/base:1", 7)], bases);
    }

    [Theory]
    [InlineData("node:22", "localhost/node:22")]
    [InlineData("team/app", "localhost/team/app")]
    [InlineData("registry.example.com/team/base:1", "registry.example.com/team/base:1")]
    [InlineData("localhost:5000/app:1", "localhost:5000/app:1")]
    [InlineData("localhost/app", "localhost/app")]
    public void Bases_without_a_registry_are_stored_under_localhost_where_buildah_looks_first(string name, string stored) =>
        Assert.Equal(stored, BaseImages.StoreName(name));

    [Fact]
    public void Store_specs_name_driver_root_and_runroot()
    {
        Assert.Equal("[vfs@/s/root+/s/run]", BaseImages.StoreSpec("/s/root+/s/run"));
        Assert.Equal("[overlay@/var/lib/containers/storage+/run/containers/storage]", BaseImages.StoreSpec("overlay@/var/lib/containers/storage+/run/containers/storage"));
        Assert.Equal("", BaseImages.StoreSpec(null));
        Assert.Equal(["--storage-driver", "vfs", "--root", "/s/root", "--runroot", "/s/run"], BaseImages.BuildahStoreArgs("vfs@/s/root+/s/run"));
    }
}
