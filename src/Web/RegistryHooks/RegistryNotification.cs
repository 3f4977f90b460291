namespace LayerLens.Web.RegistryHooks;

/// <summary>The Docker distribution notification envelope (<c>application/vnd.docker.distribution.events.v1+json</c>), the parts we read.</summary>
public sealed record RegistryEnvelope(IReadOnlyList<RegistryEvent>? Events);

public sealed record RegistryEvent(string? Id, string? Action, RegistryTarget? Target);

public sealed record RegistryTarget(string? MediaType, string? Digest, string? Repository, string? Url, string? Tag);
