using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;
using static LayerLens.Analyzer.Dockerfiles.Linting.Rules.RuleFactory;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>Rules about FROM lines and stages.</summary>
internal static class StageRules
{
    public static IEnumerable<RuleDefinition> Rules =>
    [
        Rule("LL-3006", Severity.Warning, "DL3006", null, "Always tag the image version explicitly",
            "An untagged base image means 'latest', which changes under you and breaks reproducible builds.",
            "Pin a tag (or a digest).", "FROM debian", "FROM debian:12.5",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    var image = stage.BaseImage;
                    if (IsStageOrScratchOrVariable(ctx.Document, stage, image))
                    {
                        continue;
                    }
                    var reference = ImageReference.Parse(image);
                    if (reference.Tag == null && reference.Digest == null)
                    {
                        ctx.Report(rule, stage.From.Args[0].Range, $"Always tag the version of an image explicitly: '{image}'");
                    }
                }
            }),
        Rule("LL-3007", Severity.Warning, "DL3007", null, "Using latest is prone to errors",
            "'latest' moves: two builds of the same Dockerfile get different bases.",
            "Pin a specific version tag.", "FROM node:latest", "FROM node:22.11-bookworm",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    if (!IsStageOrScratchOrVariable(ctx.Document, stage, stage.BaseImage)
                        && ImageReference.Parse(stage.BaseImage) is { Tag: "latest", Digest: null })
                    {
                        ctx.Report(rule, stage.From.Args[0].Range, "Using latest is prone to errors if the image will ever update. Pin the version explicitly to a release tag");
                    }
                }
            }),
        Rule("LL-3026", Severity.Error, "DL3026", null, "Use only an allowed registry in the FROM image",
            "Images from unvetted registries are a supply-chain risk.",
            "Pull from a registry listed in trustedRegistries.", "FROM evil.example.com/app:1", "FROM registry.example.org/app:1",
            (ctx, rule) =>
            {
                if (ctx.Options.TrustedRegistries.Count == 0)
                {
                    return;
                }
                foreach (var stage in ctx.Document.Stages)
                {
                    if (IsStageOrScratchOrVariable(ctx.Document, stage, stage.BaseImage))
                    {
                        continue;
                    }
                    var registry = ImageReference.Parse(stage.BaseImage).Registry ?? "docker.io";
                    if (!ctx.Options.TrustedRegistries.Any(r => string.Equals(r, registry, StringComparison.OrdinalIgnoreCase)
                        || (registry == "docker.io" && r is "hub.docker.com" or "index.docker.io")))
                    {
                        ctx.Report(rule, stage.From.Args[0].Range, $"Use only an allowed registry in the FROM image: '{registry}' is not trusted");
                    }
                }
            }),
        Rule("LL-3024", Severity.Error, "DL3024", "DuplicateStageName", "Stage names must be unique",
            "A repeated stage name makes --from and --target ambiguous; BuildKit rejects it.",
            "Give every stage its own name.", "FROM a AS build\nFROM b AS build", "FROM a AS build-a\nFROM b AS build-b",
            (ctx, rule) =>
            {
                var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var stage in ctx.Document.Stages)
                {
                    if (stage.Name != null && !seen.Add(stage.Name))
                    {
                        ctx.Report(rule, stage.From.Args[2].Range, $"Duplicate stage name '{stage.Name}', stage names should be unique");
                    }
                }
            }),
        Rule("LL-5001", Severity.Warning, null, "StageNameCasing", "Stage names should be lowercase",
            "Stage names are matched case-insensitively; mixed case misleads readers.",
            "Write stage names in lower case.", "FROM alpine AS Builder", "FROM alpine AS builder",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    if (stage.Name != null && !IsAllLower(stage.Name))
                    {
                        ctx.Report(rule, stage.From.Args[2].Range, $"Stage name '{stage.Name}' should be lowercase");
                    }
                }
            }),
        Rule("LL-5002", Severity.Warning, null, "FromAsCasing", "The 'as' keyword should match the case of 'from'",
            "Consistent casing keeps Dockerfiles readable.",
            "Write 'AS' with 'FROM' and 'as' with 'from'.", "FROM alpine as build", "FROM alpine AS build",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    if (stage.Name == null)
                    {
                        continue;
                    }
                    var from = stage.From.RawKeyword;
                    var asWord = stage.From.Args[1].Value;
                    var fromUpper = IsAllUpper(from);
                    var asUpper = IsAllUpper(asWord);
                    var fromLower = IsAllLower(from);
                    var asLower = IsAllLower(asWord);
                    if ((fromUpper && !asUpper) || (fromLower && !asLower))
                    {
                        ctx.Report(rule, stage.From.Args[1].Range, $"'{asWord}' and '{from}' keywords' casing do not match");
                    }
                }
            }),
        Rule("LL-5003", Severity.Warning, null, "ReservedStageName", "Reserved words must not be stage names",
            "'scratch' and 'context' have special meaning to the builder.",
            "Choose another stage name.", "FROM alpine AS scratch", "FROM alpine AS base",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    if (stage.Name is { } name && name.ToLowerInvariant() is "scratch" or "context")
                    {
                        ctx.Report(rule, stage.From.Args[2].Range, $"'{name}' is reserved and should not be used as a stage name");
                    }
                }
            }),
        Rule("LL-5004", Severity.Warning, null, "UndefinedArgInFrom", "FROM uses an undeclared build argument",
            "Only ARGs declared before the first FROM are visible to FROM lines.",
            "Declare the ARG before the first FROM.", "FROM alpine:${VERSION}", "ARG VERSION=3.20\nFROM alpine:${VERSION}",
            (ctx, rule) =>
            {
                var declared = new HashSet<string>(VariableScope.AutomaticPlatformArgs, StringComparer.Ordinal);
                foreach (var arg in ctx.Document.GlobalArgs)
                {
                    foreach (var a in arg.Args)
                    {
                        declared.Add(ArgName(a.Value));
                    }
                }
                foreach (var stage in ctx.Document.Stages)
                {
                    foreach (var token in stage.From.Args.Take(1).Concat(stage.From.Flags))
                    {
                        var expander = new VariableExpander(n => declared.Contains(n) ? "" : null);
                        try
                        {
                            expander.ProcessWord(token.Value);
                        }
                        catch (FormatException)
                        {
                            continue;
                        }
                        foreach (var name in expander.Unmatched.Distinct())
                        {
                            ctx.Report(rule, token.Range, $"FROM argument '{name}' is not declared");
                        }
                    }
                }
            }),
        Rule("LL-5005", Severity.Warning, null, "InvalidDefaultArgInFrom", "Default value of a FROM argument gives an invalid image",
            "With the ARG's default the base image name is empty or malformed, so a build without --build-arg fails.",
            "Give the ARG a default that makes a valid image name.", "ARG TAG\nFROM alpine:${TAG}", "ARG TAG=3.20\nFROM alpine:${TAG}",
            (ctx, rule) =>
            {
                var defaults = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var arg in ctx.Document.GlobalArgs)
                {
                    foreach (var a in arg.Args)
                    {
                        var eq = a.Value.IndexOf('=', StringComparison.Ordinal);
                        defaults[ArgName(a.Value)] = eq < 0 ? "" : Unquote(a.Value[(eq + 1)..]);
                    }
                }
                foreach (var stage in ctx.Document.Stages)
                {
                    var image = stage.BaseImage;
                    if (!image.Contains('$', StringComparison.Ordinal))
                    {
                        continue;
                    }
                    string expanded;
                    try
                    {
                        expanded = new VariableExpander(n => defaults.TryGetValue(n, out var v) ? v : VariableScope.AutomaticPlatformArgs.Contains(n) ? "x" : null).ProcessWord(image);
                    }
                    catch (FormatException)
                    {
                        continue;
                    }
                    if (expanded.Length == 0 || expanded.EndsWith(':') || expanded.EndsWith('@') || expanded.StartsWith(':') || expanded.Contains("::", StringComparison.Ordinal) || expanded.Contains("//", StringComparison.Ordinal) || expanded.EndsWith('/'))
                    {
                        ctx.Report(rule, stage.From.Args[0].Range, $"Default value for ARG {image} results in empty or invalid base image name");
                    }
                }
            }),
        Rule("LL-5006", Severity.Warning, null, "RedundantTargetPlatform", "--platform=$TARGETPLATFORM is redundant",
            "The target platform is already the default for FROM.",
            "Drop the flag.", "FROM --platform=$TARGETPLATFORM alpine:3.20", "FROM alpine:3.20",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    foreach (var flag in stage.From.Flags)
                    {
                        if (flag.Value is "--platform=$TARGETPLATFORM" or "--platform=${TARGETPLATFORM}")
                        {
                            ctx.Report(rule, flag.Range, "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior");
                        }
                    }
                }
            }),
        Rule("LL-3061", Severity.Error, "DL3061", null, "Dockerfile must begin with FROM, ARG or a comment",
            "Any other instruction before FROM is an error for the builder.",
            "Start with FROM (ARG lines may come before it).", "RUN echo hi\nFROM alpine:3.20", "FROM alpine:3.20\nRUN echo hi",
            (ctx, rule) =>
            {
                foreach (var instruction in ctx.Document.Instructions)
                {
                    if (instruction.Keyword == "FROM")
                    {
                        return;
                    }
                    if (instruction.Keyword != "ARG")
                    {
                        ctx.Report(rule, instruction, "Invalid instruction order. Dockerfile must begin with FROM, ARG or comment.");
                        return;
                    }
                }
            }),
    ];

    internal static string ArgName(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? arg : arg[..eq];
    }

    internal static string Unquote(string value) =>
        value.Length >= 2 && value[0] == value[^1] && value[0] is '"' or '\'' ? value[1..^1] : value;

    /// <summary>FROM of an earlier stage, scratch, or a variable reference: no tag rules apply.</summary>
    internal static bool IsStageOrScratchOrVariable(DockerfileDocument document, Stage stage, string image) =>
        image.Length == 0 || image.Equals("scratch", StringComparison.OrdinalIgnoreCase) || image.Contains('$', StringComparison.Ordinal)
        || document.IsEarlierStage(image, stage.Index);
}
