namespace LayerLens.Data.Model;

/// <summary>A group of analyses: an image repository, or a name given at upload.</summary>
public sealed class Project
{
    public Guid Id { get; set; } = Guid.NewGuid();

    /// <summary>Unique display name, e.g. <c>registry.example.com/team/api</c>.</summary>
    public required string Name { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    public List<Analysis> Analyses { get; } = [];
}
