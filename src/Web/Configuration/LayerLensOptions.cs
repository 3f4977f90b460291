using LayerLens.Data;

namespace LayerLens.Web.Configuration;

/// <summary>The <c>LayerLens</c> configuration section.</summary>
public sealed class LayerLensOptions
{
    public const string Section = "LayerLens";

    /// <summary>SQLite file, job storage, blobs and trees; relative paths are under the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Sqlite (embedded default) or PostgreSql (uses ConnectionStrings:Default).</summary>
    public DatabaseProvider DatabaseProvider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Embedded (SQLite file in the data directory) or PostgreSql (uses ConnectionStrings:Default).</summary>
    public JobStorageProvider JobStorage { get; set; } = JobStorageProvider.Embedded;

    /// <summary>Let the Hangfire dashboard answer requests that do not come from this machine.</summary>
    public bool AllowRemoteJobDashboard { get; set; }

    /// <summary>Analyses that run at once; the rest wait in the queue.</summary>
    public int MaxConcurrentAnalyses { get; set; } = 2;

    /// <summary>Largest accepted upload (image tarball, Dockerfile context) in bytes; past it the API answers 413.</summary>
    public long MaxUploadBytes { get; set; } = 64L * 1024 * 1024 * 1024;

    /// <summary>Uploaded blobs not used for this many days are deleted (0 keeps them forever).</summary>
    public int BlobRetentionDays { get; set; } = 30;

    /// <summary>Let registry pulls reach private and loopback addresses (and plain HTTP on loopback).</summary>
    public bool AllowPrivateNetworkTargets { get; set; }
}

public enum JobStorageProvider
{
    Embedded = 0,
    PostgreSql = 1,
}
