using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("LayerLens.Analyzer.Tests")]
