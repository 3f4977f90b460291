namespace LayerLens.Data.Model.Webhooks;

/// <summary>One HTTP attempt of a delivery: the status code, or the network error.</summary>
public sealed class WebhookAttempt
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid DeliveryId { get; set; }

    public int Number { get; set; }

    public DateTime AttemptedAtUtc { get; set; } = DateTime.UtcNow;

    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    public long DurationMilliseconds { get; set; }
}
