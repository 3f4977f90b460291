namespace LayerLens.TestInfrastructure.Registry;

/// <summary>How the test registry authenticates clients.</summary>
public enum RegistryAuth
{
    /// <summary>Anonymous push and pull.</summary>
    None,

    /// <summary>HTTP basic auth against an htpasswd (bcrypt) file.</summary>
    Basic,

    /// <summary>Bearer tokens (JWT) from a token service in the test process, as Docker Hub and most registries do.</summary>
    Token,
}
