namespace LayerLens.Web.Tenancy;

/// <summary>
/// The acting credential may not do this (missing scope, or no longer a member). The API answers 403 with its
/// message; pages show it as a snackbar. Derives from <see cref="UnauthorizedAccessException"/> so older callers
/// that caught that still do.
/// </summary>
public sealed class ScopeDeniedException(string scope, string message) : UnauthorizedAccessException(message)
{
    public string Scope { get; } = scope;
}
