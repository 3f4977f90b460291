using LayerLens.Analyzer.Dockerfiles.Linting.Rules;

namespace LayerLens.Analyzer.Dockerfiles.Linting;

/// <summary>Every lint rule, in id order.</summary>
public static class RuleCatalog
{
    public static IReadOnlyList<RuleDefinition> All { get; } =
        [.. StageRules.Rules, .. InstructionRules.Rules, .. RunRules.Rules, .. SizeAndCacheRules.Rules];

    public static RuleDefinition? Find(string id) => All.FirstOrDefault(r => r.IsNamed(id));
}
