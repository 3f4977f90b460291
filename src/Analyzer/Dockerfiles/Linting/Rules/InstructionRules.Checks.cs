using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;
using static LayerLens.Analyzer.Dockerfiles.Linting.Rules.RuleFactory;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>The checks several instruction rules share: secrets in names, repeated instructions, COPY --from, undefined variables.</summary>
internal static partial class InstructionRules
{
    private static void CheckSecret(LintContext ctx, RuleDefinition rule, string keyword, string name, SourceRange range)
    {
        foreach (var part in name.Split('_', '-'))
        {
            if (SecretWords.Contains(part))
            {
                ctx.Report(rule, range, $"Do not use {keyword} instructions for sensitive data ({keyword} \"{name}\")");
                return;
            }
        }
    }

    private static void CheckMultiple(LintContext ctx, RuleDefinition rule, string keyword)
    {
        foreach (var stage in ctx.Document.Stages)
        {
            var all = stage.Instructions.Where(i => i.Keyword == keyword).ToList();
            foreach (var extra in all.Take(all.Count - 1))
            {
                ctx.Report(rule, extra, $"Multiple {keyword} instructions should not be used in the same stage because only the last one will be used");
            }
        }
    }

    private static void CheckCopyFrom(LintContext ctx, RuleDefinition rule, bool self)
    {
        foreach (var stage in ctx.Document.Stages)
        {
            foreach (var copy in stage.Instructions.Where(i => i.Keyword == "COPY"))
            {
                var from = copy.FlagValue("from");
                if (string.IsNullOrEmpty(from) || from.Contains('$', StringComparison.Ordinal))
                {
                    continue;
                }
                var range = copy.Flags.First(f => f.Value.StartsWith("--from", StringComparison.Ordinal)).Range;
                if (self)
                {
                    if (stage.Name != null && string.Equals(from, stage.Name, StringComparison.OrdinalIgnoreCase))
                    {
                        ctx.Report(rule, range, $"COPY --from cannot reference its own FROM alias '{from}'");
                    }
                    continue;
                }
                var isEarlier = ctx.Document.IsEarlierStage(from, stage.Index) || (int.TryParse(from, out var index) && index < stage.Index);
                var isOwn = string.Equals(stage.Name, from, StringComparison.OrdinalIgnoreCase);
                if (!isEarlier && !isOwn && !from.Contains(':', StringComparison.Ordinal) && !from.Contains('/', StringComparison.Ordinal))
                {
                    ctx.Report(rule, range, $"COPY --from should reference a previously defined FROM alias: '{from}'");
                }
            }
        }
    }

    /// <summary>BuildKit expands variables in these instructions' arguments (RUN/CMD/ENTRYPOINT are left to the shell).</summary>
    private static void CheckUndefinedVariables(LintContext ctx, RuleDefinition rule)
    {
        var escape = ctx.Document.Result.EscapeToken;
        VariableScope.Walk(ctx.Document, (instruction, scope) =>
        {
            if (instruction.Keyword is not ("ADD" or "COPY" or "ENV" or "EXPOSE" or "LABEL" or "STOPSIGNAL" or "USER" or "VOLUME" or "WORKDIR" or "ARG"))
            {
                return;
            }
            IEnumerable<InstructionToken> tokens = instruction.Keyword switch
            {
                "ENV" or "LABEL" => instruction.Args.Where((_, k) => k % 3 == 1),
                "ARG" => instruction.Args.Where(a => a.Value.Contains('=', StringComparison.Ordinal)),
                _ => instruction.Args,
            };
            if (instruction.Heredocs.Count > 0)
            {
                return;
            }
            HashSet<string>? reported = null; // made for the rare instruction with an undefined variable
            foreach (var token in tokens.Concat(instruction.Flags))
            {
                var value = instruction.Keyword == "ARG" ? token.Value[(token.Value.IndexOf('=', StringComparison.Ordinal) + 1)..] : token.Value;
                if (!value.Contains('$', StringComparison.Ordinal))
                {
                    continue;
                }
                var expander = new VariableExpander(n => scope.TryGetValue(n, out var v) ? v : null, escape);
                try
                {
                    expander.ProcessWord(value);
                }
                catch (FormatException)
                {
                    continue;
                }
                foreach (var name in expander.Unmatched)
                {
                    if (!ImageEnvironment.Contains(name) && !VariableScope.ProxyArgs.Contains(name) && (char.IsAsciiLetter(name[0]) || name[0] == '_') && (reported ??= new HashSet<string>(StringComparer.Ordinal)).Add(name))
                    {
                        ctx.Report(rule, token.Range, $"Usage of undefined variable '${name}'");
                    }
                }
            }
        });
    }

    internal static bool IsUrl(string s) =>
        s.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || s.StartsWith("git://", StringComparison.OrdinalIgnoreCase);

    internal static bool IsArchive(string s)
    {
        foreach (var ext in (ReadOnlySpan<string>)[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".gz", ".bz2", ".xz", ".zst", ".tb2", ".tz2"])
        {
            if (s.EndsWith(ext, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }
}
