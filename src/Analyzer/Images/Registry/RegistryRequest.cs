using System.Net;

namespace LayerLens.Analyzer.Images.Registry;

/// <summary>One distribution API request as <see cref="RegistryClient"/> sends it.</summary>
internal sealed record RegistryRequest(HttpMethod Method, Uri Uri)
{
    public string[] Accept { get; init; } = ["*/*"];

    public long? RangeFrom { get; init; }

    /// <summary>Makes the body for one attempt; its argument is called on every bit of upload progress (it resets the stall timeout).</summary>
    public Func<Action, HttpContent>? Content { get; init; }

    /// <summary>False when the body is a stream read once: such a request is sent once, never retried.</summary>
    public bool Replayable { get; init; } = true;

    /// <summary>
    /// Error codes of a 4xx answer that describe the registry's passing state rather than the request, retried
    /// (when <see cref="Replayable"/>) like a 5xx.
    /// </summary>
    public IReadOnlyCollection<string> RetriedErrorCodes { get; init; } = [];

    /// <summary>Statuses that answer the question (404 for "is it there?") and are returned rather than thrown.</summary>
    public IReadOnlyCollection<HttpStatusCode> Answers { get; init; } = [];
}
