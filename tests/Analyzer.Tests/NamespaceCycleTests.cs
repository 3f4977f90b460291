using System.Reflection;
using System.Reflection.Emit;

namespace LayerLens.Analyzer.Tests;

/// <summary>
/// The engine's top-level folders (Blobs, Images, Layers, FileTree, Waste, Analysis, Reports, Dockerfiles,
/// Optimisation) depend on each other one way only, so each can be read without the ones above it. The walk
/// covers signatures, attributes and every type, method and field token in the method bodies (IL), so a
/// dependency hidden in a method body counts too.
/// </summary>
public sealed class NamespaceCycleTests
{
    private const string Root = "LayerLens.Analyzer.";

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void No_two_engine_folders_depend_on_each_other_directly_or_through_others()
    {
        var edges = Dependencies(typeof(LayerLens.Analyzer.Analysis.ImageAnalyzer).Assembly);
        var cycles = Cycles(edges);

        Assert.True(cycles.Count == 0, "namespace cycles:\n" + string.Join("\n", cycles.Select(c =>
            string.Join(" ⇄ ", c) + ":\n  " + string.Join("\n  ", edges
                .Where(e => e.Key.From != e.Key.To && c.Contains(e.Key.From) && c.Contains(e.Key.To))
                .Select(e => $"{e.Key.From} → {e.Key.To} via {e.Value}")))));
    }

    [Fact]
    public void The_walk_sees_a_dependency_that_exists_only_in_a_method_body()
    {
        // Guards the guard: the IL walk must find references no signature shows. The cycle test's own assembly
        // references the engine only from method bodies here and in a few signatures.
        var edges = Dependencies(typeof(NamespaceCycleTests).Assembly, "LayerLens.Analyzer.Tests.");
        Assert.Contains(edges.Keys, e => e.From == "Optimisation" && e.To == "Optimisation");
        Assert.Contains(Cycles(new() { [("A", "B")] = "x", [("B", "C")] = "y", [("C", "A")] = "z", [("C", "D")] = "w" }), c => c.Count == 3);
    }

    /// <summary>Folder → folder edges (self-edges kept only for the guard test), each with one example reference.</summary>
    private static Dictionary<(string From, string To), string> Dependencies(Assembly assembly, string fromRoot = Root)
    {
        var edges = new Dictionary<(string, string), string>();
        foreach (var type in assembly.GetTypes())
        {
            if (Folder(type, fromRoot) is not { } from)
            {
                continue;
            }
            foreach (var used in Referenced(type))
            {
                if (Folder(used, Root) is { } to && (to != from || fromRoot != Root))
                {
                    edges.TryAdd((from, to), $"{Outermost(type).FullName} uses {used.FullName}");
                }
            }
        }
        return edges;
    }

    private static Type Outermost(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }
        return type;
    }

    /// <summary>The first namespace segment under <paramref name="root"/>; null for types outside it.</summary>
    private static string? Folder(Type type, string root)
    {
        var ns = Outermost(type).Namespace;
        return ns is not null && ns.StartsWith(root, StringComparison.Ordinal) ? ns[root.Length..].Split('.')[0] : null;
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new List<Type?> { type.BaseType };
        found.AddRange(type.GetInterfaces());
        found.AddRange(type.GetCustomAttributesData().Select(a => a.AttributeType));
        found.AddRange(type.GetFields(All).Select(f => f.FieldType));
        found.AddRange(type.GetProperties(All).Select(p => p.PropertyType));
        var methods = type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)).ToList();
        foreach (var method in methods)
        {
            found.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo info)
            {
                found.Add(info.ReturnType);
            }
            found.AddRange(BodyReferences(method));
        }
        return found.OfType<Type>().SelectMany(Unwrap);
    }

    /// <summary>A type and everything it is built from: element types, generic arguments.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.HasElementType)
        {
            foreach (var inner in Unwrap(type.GetElementType()!))
            {
                yield return inner;
            }
            yield break;
        }
        if (type.IsGenericParameter)
        {
            yield break;
        }
        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments().SelectMany(Unwrap))
            {
                yield return argument;
            }
        }
    }

    /// <summary>The declaring types of every type, method and field token in the method's IL.</summary>
    private static IEnumerable<Type?> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var generics = (method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null, method.IsGenericMethod ? method.GetGenericArguments() : null);
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? OpCodesByValue[(short)(0xFE00 | il[at + 1])] : OpCodesByValue[il[at]];
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, generics.Item1, generics.Item2);
                    }
                    catch (ArgumentException)
                    {
                    }
                    yield return member as Type ?? member?.DeclaringType;
                    if (member is MethodInfo called)
                    {
                        yield return called.ReturnType;
                    }
                    else if (member is FieldInfo field)
                    {
                        yield return field.FieldType;
                    }
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + 4 * BitConverter.ToInt32(il, at);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }

    /// <summary>Every strongly connected set of two or more folders (folders that reach each other).</summary>
    private static List<List<string>> Cycles(Dictionary<(string From, string To), string> edges)
    {
        var next = edges.Keys.Where(e => e.From != e.To).GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).Order(StringComparer.Ordinal).ToList());
        var nodes = edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal).ToList();
        var reach = nodes.ToDictionary(n => n, n => Reachable(n, next));
        var cycles = new List<List<string>>();
        var seen = new HashSet<string>();
        foreach (var node in nodes.Where(n => !seen.Contains(n) && reach[n].Contains(n)))
        {
            var component = nodes.Where(m => reach[node].Contains(m) && reach[m].Contains(node)).ToList();
            seen.UnionWith(component);
            cycles.Add(component);
        }
        return cycles;
    }

    private static HashSet<string> Reachable(string start, Dictionary<string, List<string>> next)
    {
        var reached = new HashSet<string>();
        var pending = new Stack<string>([start]);
        while (pending.Count > 0)
        {
            foreach (var to in next.GetValueOrDefault(pending.Pop()) ?? [])
            {
                if (reached.Add(to))
                {
                    pending.Push(to);
                }
            }
        }
        return reached;
    }
}
