namespace LayerLens.Data.Model.Workspaces;

/// <summary>
/// The one row that says who became the server's first administrator. Its key is fixed (<see cref="SingletonId"/>),
/// so of two sign-ups racing on a fresh install only one insert succeeds: the database, not a prior read, decides.
/// </summary>
public sealed class FirstAdministrator
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;

    public required string UserId { get; set; }

    public DateTime ClaimedAtUtc { get; set; } = DateTime.UtcNow;
}
