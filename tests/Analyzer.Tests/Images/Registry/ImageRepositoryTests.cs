using LayerLens.Analyzer.Blobs;
using LayerLens.Analyzer.Images.Registry;

namespace LayerLens.Analyzer.Tests.Images.Registry;

/// <summary>Docker's normalisation of names, the one place the list filter and the puller share.</summary>
public sealed class ImageRepositoryTests
{
    private const string Digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("nginx", "registry-1.docker.io", "library/nginx", false, "nginx")]
    [InlineData("nginx:1.27", "registry-1.docker.io", "library/nginx", false, "nginx")]
    [InlineData("docker.io/nginx", "registry-1.docker.io", "library/nginx", true, "library/nginx")]
    [InlineData("index.docker.io/library/nginx@" + Digest, "registry-1.docker.io", "library/nginx", true, "library/nginx")]
    [InlineData("DOCKER.IO/team/app", "registry-1.docker.io", "team/app", true, "team/app")]
    [InlineData("team/app", "registry-1.docker.io", "team/app", false, "team/app")]
    [InlineData("team/app@" + Digest, "registry-1.docker.io", "team/app", false, "team/app")]
    [InlineData("Registry.Example.COM/team/app:1", "registry.example.com", "team/app", true, "team/app")]
    [InlineData("registry.example.com:5000/team/app@" + Digest, "registry.example.com:5000", "team/app", true, "team/app")]
    [InlineData("localhost:5000/x", "localhost:5000", "x", true, "x")]
    [InlineData("localhost/x:2", "localhost", "x", true, "x")]
    [InlineData("127.0.0.1:5000/team/app:1", "127.0.0.1:5000", "team/app", true, "team/app")]
    [InlineData("  team/app:2  ", "registry-1.docker.io", "team/app", false, "team/app")]
    public void Names_normalise_as_docker_does(string text, string host, string path, bool hostGiven, string typed)
    {
        Assert.Equal(new ImageRepository(host, path, hostGiven, typed), ImageRepository.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Team/App")]
    [InlineData("team//app")]
    [InlineData("team/app/")]
    [InlineData("/app")]
    [InlineData("registry.example.com/")]
    [InlineData("team/app@sha256:nothex")]
    [InlineData("team/app@md5:0123")]
    [InlineData("team/app:")]
    [InlineData("team/app:-x")]
    [InlineData("host.example.com/team/app:1/more")]
    [InlineData("https://registry.example.com/team/app")]
    [InlineData("bad host.example.com/app")]
    [InlineData("team/app%")]
    [InlineData("team/app_%")]
    public void Malformed_names_are_refused_with_a_reason(string text)
    {
        var ex = Assert.Throws<InvalidImageException>(() => ImageRepository.Parse(text));
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Fact]
    public void An_overlong_name_is_refused_before_parsing()
    {
        var ex = Assert.Throws<InvalidImageException>(() => ImageRepository.Parse(new string('a', ImageRepository.MaxLength + 1)));
        Assert.Contains("longer than", ex.Message);
    }

    [Fact]
    public void A_hub_library_image_is_spelled_with_and_without_library_and_every_hub_alias()
    {
        var spellings = ImageRepository.Parse("nginx").Spellings();
        foreach (var expected in new[] { "nginx", "library/nginx", "docker.io/nginx", "docker.io/library/nginx", "index.docker.io/nginx", "registry-1.docker.io/library/nginx" })
        {
            Assert.Contains(expected, spellings);
        }
        Assert.Equal(["registry.example.com:5000/team/app"], ImageRepository.Parse("registry.example.com:5000/team/app:1").Spellings());
    }

    [Fact]
    public void References_lowercase_the_host_and_keep_the_tag_case()
    {
        var reference = RegistryReference.Parse("Registry.Example.com:5000/team/app:V1");
        Assert.Equal("registry.example.com:5000/team/app:V1", reference.ToString());
        Assert.Equal("registry-1.docker.io/library/app:1", RegistryReference.Parse("docker.io/app:1").ToString());
    }
}
