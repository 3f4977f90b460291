namespace LayerLens.TestInfrastructure;

/// <summary>
/// The trait that tiers the suite: every test class (or test) that needs more than the .NET runtime says what with
/// <c>[Trait(Needs.Trait, Needs.Buildah)]</c>, one attribute per need, so the rootless inner loop is
/// <c>dotnet test --filter "Needs!=Root&amp;Needs!=Buildah&amp;Needs!=Registry&amp;Needs!=PostgreSQL&amp;Needs!=Chromium"</c>
/// (tests/README.md). A test with several needs carries several attributes; <c>!=</c> excludes it if any matches.
/// </summary>
public static class Needs
{
    public const string Trait = "Needs";

    /// <summary>Runs as root (or sudo -n): buildah builds, the build sandbox's namespaces and cgroups.</summary>
    public const string Root = "Root";

    /// <summary>Builds images with buildah (<see cref="Images.ImageFactory"/>, the measurement sandbox).</summary>
    public const string Buildah = "Buildah";

    /// <summary>Starts a docker-registry (<see cref="Registry.RegistryFixture"/>).</summary>
    public const string Registry = "Registry";

    /// <summary>Starts a throwaway PostgreSQL cluster (<see cref="Postgres.PostgresFixture"/>).</summary>
    public const string PostgreSQL = "PostgreSQL";

    /// <summary>Drives Chromium through Playwright (<see cref="Browser.BrowserFixture"/>).</summary>
    public const string Chromium = "Chromium";
}
