using LayerLens.Analyzer.Dockerfiles.Linting;
using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Tests.Dockerfiles.Linting;

/// <summary>Every rule: one Dockerfile where it fires, one where it does not.</summary>
public class LintRuleTests
{
    private static readonly (string Rule, string Fires, string Quiet)[] Cases =
    [
        ("LL-3000", "FROM a:1\nWORKDIR app\n", "FROM a:1\nWORKDIR /app\n"),
        ("LL-3002", "FROM a:1\nUSER app\nUSER root\n", "FROM a:1\nUSER root\nUSER app\n"),
        ("LL-3003", "FROM a:1\nRUN cd /src && make\n", "FROM a:1\nWORKDIR /src\nRUN make\n"),
        ("LL-3004", "FROM a:1\nRUN sudo make install\n", "FROM a:1\nRUN make install\n"),
        ("LL-3006", "FROM debian\n", "FROM debian:12\nFROM debian:12 AS b\nFROM b\n"),
        ("LL-3007", "FROM debian:latest\n", "FROM debian:12\n"),
        ("LL-3008", "FROM a:1\nRUN apt-get install -y curl\n", "FROM a:1\nRUN apt-get install -y curl=7.88\n"),
        ("LL-3009", "FROM a:1\nRUN apt-get update && apt-get install -y x=1\n", "FROM a:1\nRUN apt-get update && apt-get install -y x=1 && rm -rf /var/lib/apt/lists/*\n"),
        ("LL-3013", "FROM a:1\nRUN pip install --no-cache-dir flask\n", "FROM a:1\nRUN pip install --no-cache-dir flask==3.0 -r requirements.txt\n"),
        ("LL-3014", "FROM a:1\nRUN apt-get install x=1\n", "FROM a:1\nRUN apt-get install -y x=1\n"),
        ("LL-3015", "FROM a:1\nRUN apt-get install -y x=1\n", "FROM a:1\nRUN apt-get install -y --no-install-recommends x=1\n"),
        ("LL-3016", "FROM a:1\nRUN npm install -g typescript\n", "FROM a:1\nRUN npm install -g typescript@5.6.3 @types/node@22\n"),
        ("LL-3018", "FROM a:1\nRUN apk add --no-cache curl\n", "FROM a:1\nRUN apk add --no-cache curl=8.9.1-r2\n"),
        ("LL-3019", "FROM a:1\nRUN apk add curl=8\n", "FROM a:1\nRUN apk add --no-cache curl=8\n"),
        ("LL-3020", "FROM a:1\nADD app.py /app/\n", "FROM a:1\nADD app.tar.gz /app/\nCOPY app.py /app/\n"),
        ("LL-3021", "FROM a:1\nCOPY a b /dest\n", "FROM a:1\nCOPY a b /dest/\n"),
        ("LL-3022", "FROM a:1 AS build\nFROM a:1\nCOPY --from=biuld /x /y\n", "FROM a:1 AS build\nFROM a:1\nCOPY --from=build /x /y\nCOPY --from=nginx:1 /x /z\n"),
        ("LL-3023", "FROM a:1 AS build\nCOPY --from=build /x /y\n", "FROM a:1 AS deps\nFROM a:1 AS build\nCOPY --from=deps /x /y\n"),
        ("LL-3024", "FROM a:1 AS build\nFROM b:1 AS build\n", "FROM a:1 AS one\nFROM b:1 AS two\n"),
        ("LL-3025", "FROM a:1\nCMD node server.js\n", "FROM a:1\nCMD [\"node\", \"server.js\"]\n"),
        ("LL-3026", "FROM evil.example.com/app:1\n", "FROM registry.example.org/app:1\n"),
        ("LL-3027", "FROM a:1\nRUN apt install -y x\n", "FROM a:1\nRUN apt-get install -y x=1\n"),
        ("LL-3042", "FROM a:1\nRUN pip install flask==3\n", "FROM a:1\nRUN pip install --no-cache-dir flask==3\n"),
        ("LL-3044", "FROM a:1\nENV A=1 B=$A\n", "FROM a:1\nENV A=1\nENV B=$A\n"),
        ("LL-3045", "FROM a:1\nCOPY app.py app/\n", "FROM a:1\nWORKDIR /srv\nCOPY app.py app/\n"),
        ("LL-3047", "FROM a:1\nRUN wget https://x/y.tgz\n", "FROM a:1\nRUN wget -q https://x/y.tgz\n"),
        ("LL-3059", "FROM a:1\nRUN a\nRUN b\n", "FROM a:1\nRUN a && b\n"),
        ("LL-3060", "FROM a:1\nRUN yarn install\n", "FROM a:1\nRUN yarn install && yarn cache clean\n"),
        ("LL-3061", "RUN echo hi\nFROM a:1\n", "ARG V=1\nFROM a:1\nRUN echo hi\n"),
        ("LL-4000", "FROM a:1\nMAINTAINER me\n", "FROM a:1\nLABEL org.opencontainers.image.authors=me\n"),
        ("LL-4001", "FROM a:1\nRUN curl -o /a https://x/a\nRUN wget -q https://x/b\n", "FROM a:1\nRUN curl -o /a https://x/a\nRUN curl -o /b https://x/b\n"),
        ("LL-4003", "FROM a:1\nCMD [\"a\"]\nCMD [\"b\"]\n", "FROM a:1\nCMD [\"a\"]\nFROM b:1\nCMD [\"b\"]\n"),
        ("LL-4004", "FROM a:1\nENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n", "FROM a:1\nENTRYPOINT [\"a\"]\n"),
        ("LL-4006", "FROM a:1\nRUN wget -qO- https://x | tar xz\n", "FROM a:1\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -qO- https://x | tar xz\n"),
        ("LL-5001", "FROM a:1 AS Builder\n", "FROM a:1 AS builder\n"),
        ("LL-5002", "FROM a:1 as builder\n", "FROM a:1 AS builder\nfrom b:1 as other\n"),
        ("LL-5003", "FROM a:1 AS scratch\n", "FROM a:1 AS base\n"),
        ("LL-5004", "FROM alpine:${VERSION}\n", "ARG VERSION=3.20\nFROM alpine:${VERSION}\nFROM --platform=$BUILDPLATFORM alpine:3\n"),
        ("LL-5005", "ARG TAG\nFROM alpine:${TAG}\n", "ARG TAG=3.20\nFROM alpine:${TAG}\n"),
        ("LL-5006", "FROM --platform=$TARGETPLATFORM alpine:3\n", "FROM --platform=$BUILDPLATFORM alpine:3\n"),
        ("LL-5007", "FROM a:1\nHEALTHCHECK CMD a\nHEALTHCHECK CMD b\n", "FROM a:1\nHEALTHCHECK CMD b\n"),
        ("LL-5008", "FROM a:1\nrun echo hi\nRUN echo ho\n", "FROM a:1\nRUN echo hi\n"),
        ("LL-5009", "FROM a:1\nENV PORT 8080\n", "FROM a:1\nENV PORT=8080\n"),
        ("LL-5010", "FROM a:1\nARG NPM_TOKEN\n", "FROM a:1\nARG NPM_VERSION\n"),
        ("LL-5011", "FROM a:1\nEXPOSE 53/UDP\n", "FROM a:1\nEXPOSE 53/udp\n"),
        ("LL-5012", "FROM a:1\nEXPOSE 8080:80\n", "FROM a:1\nEXPOSE 80\n"),
        ("LL-5013", "FROM a:1\nRUN echo \\\n\n  hi\n", "FROM a:1\nRUN echo \\\n# comment\n  hi\n"),
        ("LL-5014", "FROM a:1\nCOPY app /home/$USR/\n", "FROM a:1\nARG USR=app\nCOPY app /home/$USR/\n"),
        ("LL-5015", "FROM a:1\nCOPY secrets.env /app/\n", "FROM a:1\nCOPY app.env /app/\n"),
        ("LL-1001", "FROM a:1\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", "FROM a:1\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n"),
        ("LL-1002", "FROM a:1\nRUN apt-get update\n", "FROM a:1\nRUN apt-get update && apt-get install -y x=1\n"),
        ("LL-1003", "FROM a:1\nRUN dnf install -y gcc\n", "FROM a:1\nRUN dnf install -y gcc && dnf clean all\n"),
        ("LL-1004", "FROM a:1\nRUN curl -o /tmp/src.tgz https://x/src.tgz\nRUN rm /tmp/src.tgz\n", "FROM a:1\nRUN curl -o /tmp/src.tgz https://x/src.tgz && rm /tmp/src.tgz\n"),
        ("LL-1005", "FROM a:1\nCOPY app /app\nRUN chown -R app:app /app\n", "FROM a:1\nCOPY --chown=app:app app /app\nRUN chown app /var/run/x\n"),
        ("LL-1006", "FROM a:1\nADD https://example.com/tool.tar.gz /opt/\n", "FROM a:1\nADD --checksum=sha256:abc https://example.com/tool.tar.gz /opt/\n"),
        ("LL-1007", "FROM debian:12\nRUN apt-get install -y build-essential=12\n", "FROM debian:12 AS build\nRUN apt-get install -y build-essential=12\nFROM debian:12-slim\n"),
    ];

    public static IEnumerable<object[]> AllCases() => Cases.Select(c => new object[] { c.Rule, c.Fires, c.Quiet });

    private static LintOptions Options()
    {
        var options = new LintOptions { DockerIgnore = ["secrets.env", "*.key"] };
        options.TrustedRegistries.Add("registry.example.org");
        return options;
    }

    private static List<Finding> Lint(string text) => Linter.Lint(DockerfileDocument.Parse(text), Options(), "Dockerfile");

    [Theory]
    [MemberData(nameof(AllCases))]
    public void Rule_fires_on_the_bad_example_and_not_on_the_good_one(string rule, string fires, string quiet)
    {
        Assert.Contains(Lint(fires), f => f.RuleId == rule);
        Assert.DoesNotContain(Lint(quiet), f => f.RuleId == rule);
    }

    [Fact]
    public void Every_rule_has_a_case_documentation_and_a_unique_id()
    {
        var ids = RuleCatalog.All.Select(r => r.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Equal(ids.Order(), Cases.Select(c => c.Rule).Distinct().Order());
        Assert.All(RuleCatalog.All, r =>
        {
            Assert.False(string.IsNullOrWhiteSpace(r.Why));
            Assert.False(string.IsNullOrWhiteSpace(r.Fix));
            Assert.Contains(r.Before, r.Documentation, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Required_hadolint_and_buildkit_equivalents_are_all_covered()
    {
        string[] hadolint = ["DL3000", "DL3002", "DL3003", "DL3004", "DL3006", "DL3007", "DL3008", "DL3009", "DL3013", "DL3014", "DL3015", "DL3016", "DL3018", "DL3019", "DL3020", "DL3021", "DL3022", "DL3023", "DL3024", "DL3025", "DL3027", "DL3042", "DL3044", "DL3045", "DL3047", "DL3059", "DL3060", "DL3061", "DL4000", "DL4001", "DL4003", "DL4004", "DL4006"];
        string[] buildkit = ["StageNameCasing", "FromAsCasing", "NoEmptyContinuation", "ConsistentInstructionCasing", "DuplicateStageName", "ReservedStageName", "JSONArgsRecommended", "MaintainerDeprecated", "UndefinedArgInFrom", "WorkdirRelativePath", "UndefinedVar", "MultipleInstructionsDisallowed", "LegacyKeyValueFormat", "SecretsUsedInArgOrEnv", "InvalidDefaultArgInFrom", "RedundantTargetPlatform", "ExposeProtoCasing", "ExposeInvalidFormat", "CopyIgnoredFile"];
        Assert.All(hadolint, id => Assert.Contains(RuleCatalog.All, r => r.HadolintId == id));
        Assert.All(buildkit, id => Assert.Contains(RuleCatalog.All, r => r.BuildkitCheck == id));
    }

    [Fact]
    public void Findings_carry_precise_locations()
    {
        var finding = Assert.Single(Lint("FROM registry.example.org/a:1\nRUN apt-get update && \\\n    apt-get install -y --no-install-recommends curl=1 \\\n && rm -rf /var/lib/apt/lists/*\nEXPOSE 80 53/UDP\n"));
        Assert.Equal(("LL-5011", 5, 11, 5, 17), (finding.RuleId, finding.Line, finding.Column, finding.EndLine, finding.EndColumn));
        Assert.Equal("ExposeProtoCasing", finding.BuildkitCheck);
        Assert.Null(finding.HadolintId);
    }
}
