namespace LayerLens.Web.Tenancy;

/// <summary>Claim types the cookie and API-key principals carry.</summary>
public static class LayerLensClaims
{
    public const string Workspace = "layerlens:workspace";
    public const string Role = "layerlens:role";
    public const string Scope = "layerlens:scope";
    public const string ApiKey = "layerlens:key";
    public const string Actor = "layerlens:actor";

    /// <summary>A user claim: the server's administrator (the first account; sees the job dashboard).</summary>
    public const string Administrator = "layerlens:admin";
}
