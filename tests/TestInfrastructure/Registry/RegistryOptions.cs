using System.Security.Cryptography;

namespace LayerLens.TestInfrastructure.Registry;

/// <summary>How to start a test registry.</summary>
public sealed record RegistryOptions
{
    public RegistryAuth Auth { get; init; } = RegistryAuth.None;

    public string Username { get; init; } = "layerlens";

    /// <summary>A fresh random password per registry unless one is given.</summary>
    public string Password { get; init; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    /// <summary>A notifications endpoint the registry posts its events to (with an Authorization header when given).</summary>
    public Uri? NotificationUrl { get; init; }

    public string? NotificationAuthorization { get; init; }
}
