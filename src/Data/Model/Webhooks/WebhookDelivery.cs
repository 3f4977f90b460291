using LayerLens.Data.Model.Workspaces;

namespace LayerLens.Data.Model.Webhooks;

/// <summary>One event sent to one webhook: the exact body, retried until a 2xx or the attempts run out.</summary>
public sealed class WebhookDelivery : IWorkspaceOwned
{
    public Guid Id { get; set; } = Guid.NewGuid();

    public Guid WorkspaceId { get; set; }

    public Guid WebhookId { get; set; }

    public Webhook? Webhook { get; set; }

    public required string Event { get; set; }

    public Guid? AnalysisId { get; set; }

    /// <summary>The JSON body, signed as sent; a redelivery sends it again under a new delivery id.</summary>
    public required string Payload { get; set; }

    public DateTime CreatedAtUtc { get; set; } = DateTime.UtcNow;

    public WebhookDeliveryState State { get; set; }

    public int? LastStatusCode { get; set; }

    public List<WebhookAttempt> Attempts { get; } = [];
}

public enum WebhookDeliveryState
{
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}
