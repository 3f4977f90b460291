using System.Text.Json.Serialization;

namespace LayerLens.Analyzer.Images;

/// <summary>
/// Serialization code for the image documents, generated at compile time: the reflection-based
/// serializer emits and JIT-compiles its readers on first use, about a fifth of the CPU of a
/// `layerlens analyze` of a small image.
/// </summary>
[JsonSourceGenerationOptions(MaxDepth = 64, AllowTrailingCommas = false, PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(ImageIndex))]
[JsonSerializable(typeof(ImageManifest))]
[JsonSerializable(typeof(ImageConfigFile))]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
internal sealed partial class ImageJsonContext : JsonSerializerContext;
