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
}

public enum JobStorageProvider
{
    Embedded = 0,
    PostgreSql = 1,
}
