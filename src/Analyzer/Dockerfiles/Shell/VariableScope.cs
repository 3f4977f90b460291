using LayerLens.Analyzer.Dockerfiles.Model;

namespace LayerLens.Analyzer.Dockerfiles.Shell;

/// <summary>
/// ARG/ENV scope as BuildKit builds it: global ARGs (before the first FROM) are visible to FROM lines only;
/// inside a stage an <c>ARG NAME</c> without value re-imports the global default; ENV and ARG accumulate;
/// a stage built FROM an earlier stage inherits that stage's ENV. Walked once, in order, in linear time.
/// </summary>
public static class VariableScope
{
    /// <summary>Build arguments BuildKit predefines for FROM lines (and for stages that declare them).</summary>
    public static readonly IReadOnlySet<string> AutomaticPlatformArgs = new HashSet<string>(StringComparer.Ordinal)
    {
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    };

    /// <summary>Proxy build arguments usable without being declared.</summary>
    public static readonly IReadOnlySet<string> ProxyArgs = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY",
    };

    private static readonly System.Buffers.SearchValues<char> ExpansionChars = System.Buffers.SearchValues.Create("$'\"\\`");

    /// <summary>Calls <paramref name="visit"/> for each instruction with the variables defined before it (live view; do not keep).</summary>
    public static void Walk(DockerfileDocument document, Action<Instruction, IReadOnlyDictionary<string, string>> visit)
    {
        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in AutomaticPlatformArgs)
        {
            globals[name] = "";
        }
        var stageEnv = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
        Dictionary<string, string>? current = null;
        var envOnly = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var instruction in document.Instructions)
        {
            if (instruction.Keyword == "FROM")
            {
                visit(instruction, globals);
                current = new Dictionary<string, string>(StringComparer.Ordinal);
                envOnly = new Dictionary<string, string>(StringComparer.Ordinal);
                var baseName = instruction.Args.Count > 0 ? instruction.Args[0].Value : "";
                if (stageEnv.TryGetValue(baseName, out var inherited))
                {
                    foreach (var (k, v) in inherited)
                    {
                        current[k] = v;
                        envOnly[k] = v;
                    }
                }
                var stageName = instruction.Args.Count >= 3 ? instruction.Args[2].Value : null;
                if (stageName != null)
                {
                    stageEnv[stageName] = envOnly;
                }
                continue;
            }
            var scope = current ?? globals;
            visit(instruction, scope);
            switch (instruction.Keyword)
            {
                case "ARG":
                    foreach (var arg in instruction.Args)
                    {
                        var eq = arg.Value.IndexOf('=', StringComparison.Ordinal);
                        var name = eq < 0 ? arg.Value : arg.Value[..eq];
                        string value;
                        if (eq >= 0)
                        {
                            value = Expand(arg.Value[(eq + 1)..], scope);
                        }
                        else
                        {
                            value = current != null && globals.TryGetValue(name, out var g) ? g : "";
                        }
                        scope[name] = value;
                    }
                    break;
                case "ENV":
                    var args = instruction.Args;
                    for (var i = 0; i + 1 < args.Count; i += 3)
                    {
                        var value = Expand(args[i + 1].Value, scope);
                        scope[args[i].Value] = value;
                        envOnly[args[i].Value] = value;
                    }
                    break;
            }
        }
    }

    private static string Expand(string word, Dictionary<string, string> scope)
    {
        if (word.AsSpan().IndexOfAny(ExpansionChars) < 0)
        {
            return word; // nothing to expand or unquote
        }
        try
        {
            return new VariableExpander(n => scope.TryGetValue(n, out var v) ? v : null).ProcessWord(word);
        }
        catch (FormatException)
        {
            return word;
        }
    }
}
