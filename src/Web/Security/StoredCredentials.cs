using LayerLens.Analyzer.Images.Registry;
using Microsoft.AspNetCore.DataProtection;

namespace LayerLens.Web.Security;

/// <summary>
/// Registry credentials at rest: the intake protects "user:password" with the data-protection keys, the analysis job
/// reads them back for its one pull. Nothing else ever sees them in plain text.
/// </summary>
public static class StoredCredentials
{
    public const string Purpose = "LayerLens.RegistryCredentials";

    public static string Protect(IDataProtectionProvider protection, string user, string? password) =>
        protection.CreateProtector(Purpose).Protect($"{user}:{password}");

    /// <summary>The credentials of a stored row; null when it carried none.</summary>
    public static RegistryCredentials? Read(IDataProtectionProvider protection, string? stored)
    {
        if (stored is null)
        {
            return null;
        }
        var plain = protection.CreateProtector(Purpose).Unprotect(stored);
        var colon = plain.IndexOf(':', StringComparison.Ordinal);
        return new RegistryCredentials(plain[..colon], plain[(colon + 1)..]);
    }
}
