using LayerLens.Analyzer.Dockerfiles.Model;
using LayerLens.Analyzer.Dockerfiles.Shell;
using static LayerLens.Analyzer.Dockerfiles.Linting.Rules.RuleFactory;

namespace LayerLens.Analyzer.Dockerfiles.Linting.Rules;

/// <summary>Rules about individual instructions other than what RUN executes (their shared checks: InstructionRules.Checks.cs).</summary>
internal static partial class InstructionRules
{
    private static readonly HashSet<string> SecretWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token",
    };

    // Variables base images commonly define; BuildKit knows them from the image config, a linter cannot.
    private static readonly HashSet<string> ImageEnvironment = new(StringComparer.Ordinal)
    {
        "PATH", "HOME", "HOSTNAME", "PWD", "USER", "SHELL", "TERM", "LANG", "LC_ALL",
    };

    public static IEnumerable<RuleDefinition> Rules =>
    [
        Rule("LL-3000", Severity.Error, "DL3000", "WorkdirRelativePath", "Use absolute WORKDIR",
            "A relative WORKDIR depends on the previous working directory, which the base image may change.",
            "Use an absolute path.", "WORKDIR app", "WORKDIR /app",
            (ctx, rule) =>
            {
                foreach (var w in ctx.All("WORKDIR"))
                {
                    var path = w.Args.Count > 0 ? StageRules.Unquote(w.Args[0].Value) : "";
                    if (path.Length > 0 && path[0] != '/' && path[0] != '$' && !(path.Length > 1 && path[1] == ':'))
                    {
                        ctx.Report(rule, w, $"Use absolute WORKDIR: relative path '{path}'");
                    }
                }
            }),
        Rule("LL-3002", Severity.Warning, "DL3002", null, "Last USER should not be root",
            "Containers running as root turn any escape into host root.",
            "Switch to an unprivileged user at the end of the final stage.", "USER root", "USER 10001",
            (ctx, rule) =>
            {
                if (ctx.Document.Stages.Count == 0)
                {
                    return;
                }
                var last = ctx.Document.Stages[^1].Instructions.LastOrDefault(i => i.Keyword == "USER");
                if (last != null && last.Args.Count > 0 && last.Args[0].Value.Split(':')[0] is "root" or "0")
                {
                    ctx.Report(rule, last, "Last USER should not be root");
                }
            }),
        Rule("LL-3020", Severity.Error, "DL3020", null, "Use COPY instead of ADD for files and folders",
            "ADD also fetches URLs and unpacks archives; COPY says what it does.",
            "Use COPY for local files.", "ADD app.py /app/", "COPY app.py /app/",
            (ctx, rule) =>
            {
                foreach (var add in ctx.All("ADD"))
                {
                    if (add.Heredocs.Count > 0)
                    {
                        continue;
                    }
                    var sources = add.Args.Take(Math.Max(0, add.Args.Count - 1)).Select(a => a.Value).ToList();
                    if (sources.Count > 0 && sources.All(s => !IsUrl(s) && !IsArchive(s) && !s.StartsWith("git@", StringComparison.Ordinal)))
                    {
                        ctx.Report(rule, add, "Use COPY instead of ADD for files and folders");
                    }
                }
            }),
        Rule("LL-3021", Severity.Error, "DL3021", null, "COPY with more than 2 arguments requires the last argument to end with /",
            "With several sources the destination must be a directory.",
            "End the destination with '/'.", "COPY a b /dest", "COPY a b /dest/",
            (ctx, rule) =>
            {
                foreach (var copy in ctx.All("COPY"))
                {
                    if (copy.Args.Count > 2 && copy.Heredocs.Count == 0 && !copy.Args[^1].Value.EndsWith('/'))
                    {
                        ctx.Report(rule, copy.Args[^1].Range, "COPY with more than 2 arguments requires the last argument to end with /");
                    }
                }
            }),
        Rule("LL-3022", Severity.Warning, "DL3022", null, "COPY --from should reference a previously defined FROM alias",
            "A --from that names no earlier stage is pulled as an image, usually by mistake.",
            "Name an earlier stage (or a full image reference).", "COPY --from=biuld /app /app", "COPY --from=build /app /app",
            (ctx, rule) => CheckCopyFrom(ctx, rule, self: false)),
        Rule("LL-3023", Severity.Error, "DL3023", null, "COPY --from cannot reference its own FROM alias",
            "A stage cannot copy from itself.",
            "Copy from another stage.", "FROM a AS build\nCOPY --from=build /x /y", "FROM a AS deps\nFROM a AS build\nCOPY --from=deps /x /y",
            (ctx, rule) => CheckCopyFrom(ctx, rule, self: true)),
        Rule("LL-3025", Severity.Warning, "DL3025", "JSONArgsRecommended", "Use JSON notation for CMD and ENTRYPOINT",
            "The shell form runs under /bin/sh -c, so the process does not get signals (PID 1 is the shell).",
            "Use the exec (JSON) form.", "CMD node server.js", "CMD [\"node\", \"server.js\"]",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    if (stage.Instructions.Any(i => i.Keyword == "SHELL"))
                    {
                        continue; // a custom SHELL makes the shell form deliberate
                    }
                    foreach (var i in stage.Instructions)
                    {
                        if (i.Keyword is "CMD" or "ENTRYPOINT" && !i.IsJson && i.Args.Count > 0)
                        {
                            ctx.Report(rule, i, $"JSON arguments recommended for {i.Keyword} to prevent unintended behavior related to OS signals");
                        }
                    }
                }
            }),
        Rule("LL-3044", Severity.Error, "DL3044", null, "Do not refer to a variable within the same ENV statement where it is defined",
            "Within one ENV the reference still sees the old value.",
            "Split the ENV in two.", "ENV A=1 B=$A", "ENV A=1\nENV B=$A",
            (ctx, rule) =>
            {
                foreach (var env in ctx.All("ENV"))
                {
                    var defined = new HashSet<string>(StringComparer.Ordinal);
                    for (var i = 0; i + 1 < env.Args.Count; i += 3)
                    {
                        if (defined.Count > 0 && VariableReferences.Find(env.Args[i + 1].Value).FirstOrDefault(defined.Contains) is { } selfRef)
                        {
                            ctx.Report(rule, env.Args[i + 1].Range, $"Do not refer to an environment variable within the same ENV statement where it is defined: '{selfRef}'");
                        }
                        defined.Add(env.Args[i].Value);
                    }
                }
            }),
        Rule("LL-3045", Severity.Warning, "DL3045", null, "COPY to a relative destination without WORKDIR set",
            "The destination then depends on the base image's working directory.",
            "Set WORKDIR first or use an absolute destination.", "COPY app.py app/", "WORKDIR /srv\nCOPY app.py app/",
            (ctx, rule) =>
            {
                foreach (var stage in ctx.Document.Stages)
                {
                    var hasWorkdir = false;
                    foreach (var i in stage.Instructions)
                    {
                        hasWorkdir |= i.Keyword == "WORKDIR";
                        if (i.Keyword == "COPY" && !hasWorkdir && i.Args.Count >= 2)
                        {
                            var dest = StageRules.Unquote(i.Args[^1].Value);
                            if (dest.Length > 0 && dest[0] != '/' && dest[0] != '$' && !(dest.Length > 1 && dest[1] == ':'))
                            {
                                ctx.Report(rule, i.Args[^1].Range, "COPY to a relative destination without WORKDIR set.");
                            }
                        }
                    }
                }
            }),
        Rule("LL-4000", Severity.Error, "DL4000", "MaintainerDeprecated", "MAINTAINER is deprecated",
            "MAINTAINER is deprecated in favour of a label.",
            "Use LABEL org.opencontainers.image.authors.", "MAINTAINER jane@example.com", "LABEL org.opencontainers.image.authors=\"jane@example.com\"",
            (ctx, rule) =>
            {
                foreach (var m in ctx.All("MAINTAINER"))
                {
                    ctx.Report(rule, m, "Maintainer instruction is deprecated in favor of using label");
                }
            }),
        Rule("LL-4003", Severity.Warning, "DL4003", "MultipleInstructionsDisallowed", "Multiple CMD instructions found",
            "Only the last CMD of a stage takes effect.",
            "Keep one CMD per stage.", "CMD a\nCMD b", "CMD b",
            (ctx, rule) => CheckMultiple(ctx, rule, "CMD")),
        Rule("LL-4004", Severity.Error, "DL4004", "MultipleInstructionsDisallowed", "Multiple ENTRYPOINT instructions found",
            "Only the last ENTRYPOINT of a stage takes effect.",
            "Keep one ENTRYPOINT per stage.", "ENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]", "ENTRYPOINT [\"b\"]",
            (ctx, rule) => CheckMultiple(ctx, rule, "ENTRYPOINT")),
        Rule("LL-5007", Severity.Warning, null, "MultipleInstructionsDisallowed", "Multiple HEALTHCHECK instructions found",
            "Only the last HEALTHCHECK of a stage takes effect.",
            "Keep one HEALTHCHECK per stage.", "HEALTHCHECK CMD a\nHEALTHCHECK CMD b", "HEALTHCHECK CMD b",
            (ctx, rule) => CheckMultiple(ctx, rule, "HEALTHCHECK")),
        Rule("LL-5008", Severity.Warning, null, "ConsistentInstructionCasing", "Instructions should be in consistent casing",
            "Mixed-case keywords make a Dockerfile harder to read and grep.",
            "Write every keyword in the same case (upper case is the convention).", "FROM alpine\nrun echo hi", "FROM alpine\nRUN echo hi",
            (ctx, rule) =>
            {
                var upper = 0;
                var lower = 0;
                foreach (var i in ctx.Document.Instructions)
                {
                    if (i.RawKeyword == i.Keyword)
                    {
                        upper++;
                    }
                    else if (IsAllLower(i.RawKeyword))
                    {
                        lower++;
                    }
                }
                var wantUpper = upper >= lower;
                foreach (var i in ctx.Document.Instructions)
                {
                    var ok = wantUpper ? i.RawKeyword == i.Keyword : IsAllLower(i.RawKeyword);
                    if (!ok)
                    {
                        ctx.Report(rule, i.KeywordRange, $"Command '{i.RawKeyword}' should match the case of the command majority ({(wantUpper ? "uppercase" : "lowercase")})");
                    }
                }
            }),
        Rule("LL-5009", Severity.Warning, null, "LegacyKeyValueFormat", "Use the key=value form for ENV and LABEL",
            "The legacy 'KEY value' form is ambiguous with spaces and deprecated.",
            "Write KEY=value.", "ENV PORT 8080", "ENV PORT=8080",
            (ctx, rule) =>
            {
                foreach (var i in ctx.Document.Instructions)
                {
                    if (i.Keyword is "ENV" or "LABEL" && i.Args.Count == 3 && i.Node.Next?.Next?.Next?.Value == "")
                    {
                        ctx.Report(rule, i, $"\"{i.Keyword} key=value\" should be used instead of legacy \"{i.Keyword} key value\" format");
                    }
                }
            }),
        Rule("LL-5010", Severity.Warning, null, "SecretsUsedInArgOrEnv", "Do not pass secrets in ARG or ENV",
            "ARG and ENV values are stored in the image history and metadata for anyone to read.",
            "Use RUN --mount=type=secret.", "ARG NPM_TOKEN", "RUN --mount=type=secret,id=npm_token npm ci",
            (ctx, rule) =>
            {
                foreach (var i in ctx.Document.Instructions)
                {
                    if (i.Keyword == "ARG")
                    {
                        foreach (var a in i.Args)
                        {
                            CheckSecret(ctx, rule, i.Keyword, StageRules.ArgName(a.Value), a.Range);
                        }
                    }
                    else if (i.Keyword == "ENV")
                    {
                        for (var k = 0; k + 1 < i.Args.Count; k += 3)
                        {
                            CheckSecret(ctx, rule, i.Keyword, i.Args[k].Value, i.Args[k].Range);
                        }
                    }
                }
            }),
        Rule("LL-5011", Severity.Warning, null, "ExposeProtoCasing", "EXPOSE protocol should be lowercase",
            "Protocols are lowercase ('tcp', 'udp').",
            "Write the protocol in lower case.", "EXPOSE 53/UDP", "EXPOSE 53/udp",
            (ctx, rule) =>
            {
                foreach (var e in ctx.All("EXPOSE"))
                {
                    foreach (var a in e.Args)
                    {
                        var slash = a.Value.IndexOf('/', StringComparison.Ordinal);
                        if (slash >= 0 && !IsAllLower(a.Value[(slash + 1)..]))
                        {
                            ctx.Report(rule, a.Range, $"Defined protocol '{a.Value}' in EXPOSE instruction should be lowercase");
                        }
                    }
                }
            }),
        Rule("LL-5012", Severity.Warning, null, "ExposeInvalidFormat", "EXPOSE should not define an IP address or host port",
            "Publishing is decided at run time; EXPOSE only documents container ports.",
            "Expose the container port only.", "EXPOSE 8080:80", "EXPOSE 80",
            (ctx, rule) =>
            {
                foreach (var e in ctx.All("EXPOSE"))
                {
                    foreach (var a in e.Args)
                    {
                        if (a.Value.Contains(':', StringComparison.Ordinal))
                        {
                            ctx.Report(rule, a.Range, $"EXPOSE instruction should not define an IP address or host port: '{a.Value}'");
                        }
                    }
                }
            }),
        Rule("LL-5013", Severity.Warning, null, "NoEmptyContinuation", "Empty continuation lines",
            "An empty line inside a continuation will become an error in a future release.",
            "Remove the blank line or end the instruction.", "RUN apk add \\\n\n    curl", "RUN apk add \\\n    curl",
            (ctx, rule) =>
            {
                foreach (var w in ctx.Document.Result.Warnings)
                {
                    var instruction = ctx.Document.InstructionAtLine(w.Line);
                    var range = instruction?.Range ?? new SourceRange(w.Line, 1, w.Line, 1);
                    ctx.Report(rule, range, "Empty continuation line");
                }
            }),
        Rule("LL-5014", Severity.Warning, null, "UndefinedVar", "Variable is not defined",
            "An undefined variable expands to an empty string, silently.",
            "Declare it with ARG or ENV, or fix the name.", "COPY app /home/$USR/", "ARG USR=app\nCOPY app /home/$USR/",
            CheckUndefinedVariables),
        Rule("LL-5015", Severity.Warning, null, "CopyIgnoredFile", "COPY/ADD source is excluded by .dockerignore",
            "The builder never sends ignored files, so the copy fails or copies nothing.",
            "Fix the path or the .dockerignore.", "COPY secrets.env /app/  # with secrets.env in .dockerignore", "COPY app.env /app/",
            (ctx, rule) =>
            {
                if (ctx.Options.DockerIgnore is not { Count: > 0 } patterns)
                {
                    return;
                }
                var matcher = new DockerIgnoreMatcher(patterns);
                foreach (var i in ctx.Document.Instructions)
                {
                    if (i.Keyword is not ("COPY" or "ADD") || i.FlagValue("from") != null || i.Heredocs.Count > 0)
                    {
                        continue;
                    }
                    foreach (var source in i.Args.Take(Math.Max(0, i.Args.Count - 1)))
                    {
                        if (!IsUrl(source.Value) && matcher.IsIgnored(source.Value))
                        {
                            ctx.Report(rule, source.Range, $"Attempting to {i.Keyword} file \"{source.Value}\" that is excluded by .dockerignore");
                        }
                    }
                }
            }),
    ];
}
