namespace LayerLens.Data.Model;

/// <summary>Where the input came from; decides how a job fetches it.</summary>
public enum SourceKind
{
    /// <summary>An image tarball uploaded to the service and stored as a blob.</summary>
    Upload = 0,

    /// <summary>An image reference pulled from a registry.</summary>
    Registry = 1,

    /// <summary>A Dockerfile (pasted or uploaded), optionally with a build context.</summary>
    Dockerfile = 2,
}
