namespace LayerLens.Analyzer.Images.Registry;

/// <summary>A registry that refuses, stalls, or answers garbage (bad input from the user's point of view).</summary>
public sealed class RegistryException : Exception
{
    public RegistryException(string message) : base(message) { }

    public RegistryException(string message, Exception inner) : base(message, inner) { }
}
