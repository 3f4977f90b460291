using LayerLens.Web.Storage;
using Microsoft.Extensions.Configuration;

namespace LayerLens.Web.Tests.Storage;

public sealed class StorageSettingsTests
{
    private static StorageSettings From(params (string Key, string Value)[] values) =>
        StorageSettings.From(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Fact]
    public void Without_settings_the_store_is_the_data_directory()
    {
        Assert.Equal(StorageProvider.Local, From().Provider);
    }

    [Fact]
    public void An_unknown_provider_stops_the_start_naming_the_setting_and_the_value()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From(("LayerLens:Storage:Provider", "S3")));

        Assert.Contains("LayerLens:Storage:Provider", refused.Message, StringComparison.Ordinal);
        Assert.Contains("'S3'", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("registry.internal:5000")]
    [InlineData("ftp://registry.internal")]
    [InlineData("https://user:secret@registry.internal")]
    public void The_Registry_provider_needs_an_http_url_without_credentials_in_it(string? url)
    {
        var values = new List<(string, string)> { ("LayerLens:Storage:Provider", "Registry") };
        if (url is not null)
        {
            values.Add(("LayerLens:Storage:Registry:Url", url));
        }

        var refused = Assert.Throws<InvalidOperationException>(() => From([.. values]));

        Assert.Contains("LayerLens:Storage:Registry:Url", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_prefix_that_is_not_a_repository_path_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => From(
            ("LayerLens:Storage:Provider", "Registry"), ("LayerLens:Storage:Registry:Url", "https://registry.internal"), ("LayerLens:Storage:Registry:Prefix", "../Other")));

        Assert.Contains("LayerLens:Storage:Registry:Prefix", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_Registry_provider_reads_its_url_credentials_and_prefix()
    {
        var settings = From(
            ("LayerLens:Storage:Provider", "registry"), ("LayerLens:Storage:Registry:Url", "https://registry.internal:5000"),
            ("LayerLens:Storage:Registry:Username", "store"), ("LayerLens:Storage:Registry:Password", "pw"), ("LayerLens:Storage:Registry:Prefix", "team/layerlens"));

        Assert.Equal(StorageProvider.Registry, settings.Provider);
        Assert.Equal("registry.internal:5000", settings.RegistryUrl!.Authority);
        Assert.Equal(("store", "pw", "team/layerlens"), (settings.RegistryUsername, settings.RegistryPassword, settings.RegistryPrefix));
    }
}
