using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using System.Text;

namespace OrderSystem.Messaging.Tests.Layering;

/// <summary>
/// The folder graph of an assembly: per folder (namespace below the root), the types it declares and the folders whose
/// types it names, in signatures (base types, interfaces, fields, properties, method signatures, locals, generic
/// arguments and constraints) and in method bodies (every type, method and field token of the IL).
/// </summary>
public sealed class FolderDependencies
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private readonly string _root;

    private FolderDependencies(string root, SortedDictionary<string, SortedSet<string>> types, SortedDictionary<string, SortedSet<string>> uses)
    {
        _root = root;
        Types = types;
        Uses = uses;
    }

    /// <summary>Folder → the types it declares (top-level, not compiler-generated).</summary>
    public SortedDictionary<string, SortedSet<string>> Types { get; }

    /// <summary>Folder → the other folders whose types it names.</summary>
    public SortedDictionary<string, SortedSet<string>> Uses { get; }

    public static FolderDependencies Of(Assembly assembly, string rootNamespace)
    {
        var types = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var uses = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            if (FolderOf(type, rootNamespace) is not { } folder) continue;
            if (!uses.ContainsKey(folder)) uses[folder] = new SortedSet<string>(StringComparer.Ordinal);
            if (type.DeclaringType is null && !type.IsDefined(typeof(CompilerGeneratedAttribute)))
            {
                if (!types.TryGetValue(folder, out var declared)) types[folder] = declared = new SortedSet<string>(StringComparer.Ordinal);
                declared.Add(NameOf(type));
            }

            foreach (var named in NamedBy(type).SelectMany(Unwrap))
            {
                if (FolderOf(named, rootNamespace) is { } other && other != folder && named.Assembly == assembly) uses[folder].Add(other);
            }
        }

        return new FolderDependencies(rootNamespace, types, uses);
    }

    /// <summary>A path that leads from a folder back to itself, or null when the graph has no cycle.</summary>
    public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, SortedSet<string>> graph)
    {
        var state = new Dictionary<string, int>(); // 1 = on the current path, 2 = done
        var path = new List<string>();

        List<string>? Visit(string folder)
        {
            state[folder] = 1;
            path.Add(folder);
            foreach (var next in graph.GetValueOrDefault(folder) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1) return [.. path.Skip(path.IndexOf(next)), next];
                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } cycle) return cycle;
            }

            path.RemoveAt(path.Count - 1);
            state[folder] = 2;
            return null;
        }

        foreach (var folder in graph.Keys)
        {
            if (state.GetValueOrDefault(folder) == 0 && Visit(folder) is { } cycle) return cycle;
        }

        return null;
    }

    /// <summary>Folders from the top (uses others, used by none) to the bottom; ties by name.</summary>
    public IReadOnlyList<string> TopDown()
    {
        var order = new List<string>();
        var remaining = new SortedSet<string>(Uses.Keys, StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            var top = remaining.FirstOrDefault(f => !remaining.Any(o => o != f && Uses[o].Contains(f)))
                ?? throw new InvalidOperationException("The folder graph has a cycle.");
            order.Add(top);
            remaining.Remove(top);
        }

        return order;
    }

    /// <summary>The graph as a Mermaid flowchart (an arrow reads "names types of") and a table of what each folder declares.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("```mermaid\nflowchart TD\n");
        foreach (var folder in TopDown().Where(f => Uses[f].Count == 0 && !Uses.Values.Any(u => u.Contains(f))))
            text.Append($"    {folder}\n"); // a folder on its own (the saga repository: services register it themselves)
        foreach (var folder in TopDown())
        {
            foreach (var used in Uses[folder]) text.Append($"    {folder} --> {used}\n");
        }

        text.Append("```\n\n| Folder | Declares |\n|---|---|\n");
        foreach (var folder in TopDown())
        {
            text.Append($"| `{folder}/` | {string.Join(", ", (Types.GetValueOrDefault(folder) ?? []).Select(t => $"`{t}`"))} |\n");
        }

        return text.ToString();
    }

    public override string ToString() =>
        string.Join("\n", Uses.Select(u => $"{_root}.{u.Key} → {string.Join(", ", u.Value)}"));

    private static string? FolderOf(Type type, string rootNamespace)
    {
        var ns = type.Namespace;
        if (ns is null || !ns.StartsWith(rootNamespace + ".", StringComparison.Ordinal)) return null;
        return ns[(rootNamespace.Length + 1)..].Split('.')[0];
    }

    private static string NameOf(Type type)
    {
        var tick = type.Name.IndexOf('`');
        return tick < 0 ? type.Name : $"{type.Name[..tick]}<{string.Join(",", type.GetGenericArguments().Select(a => a.Name))}>";
    }

    private static IEnumerable<Type> NamedBy(Type type)
    {
        if (type.BaseType is { } baseType) yield return baseType;
        foreach (var i in type.GetInterfaces()) yield return i;
        foreach (var argument in type.GetGenericArguments())
        foreach (var constraint in argument.GetGenericParameterConstraints())
            yield return constraint;

        foreach (var field in type.GetFields(Declared)) yield return field.FieldType;
        foreach (var property in type.GetProperties(Declared)) yield return property.PropertyType;
        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info) yield return info.ReturnType;
            foreach (var parameter in method.GetParameters()) yield return parameter.ParameterType;
            foreach (var named in InBody(method, type)) yield return named;
        }
    }

    /// <summary>Locals and the type, method and field tokens of a method's IL.</summary>
    private static IEnumerable<Type> InBody(MethodBase method, Type declaring)
    {
        var body = method.GetMethodBody();
        if (body is null) yield break;
        foreach (var local in body.LocalVariables) yield return local.LocalType;

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = declaring.IsGenericType ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var position = 0;
        while (position < il.Length)
        {
            short value = il[position] == 0xFE ? unchecked((short)(0xFE00 | il[position + 1])) : il[position];
            position += il[position] == 0xFE ? 2 : 1;
            var opCode = OpCodesByValue[value];
            if (opCode.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField)
            {
                var token = BitConverter.ToInt32(il, position);
                MemberInfo? member;
                try
                {
                    member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                }
                catch (ArgumentException)
                {
                    member = null;
                }

                switch (member)
                {
                    case Type type:
                        yield return type;
                        break;
                    case FieldInfo field:
                        if (field.DeclaringType is { } fieldOwner) yield return fieldOwner;
                        yield return field.FieldType;
                        break;
                    case MethodBase called:
                        if (called.DeclaringType is { } owner) yield return owner;
                        if (called is MethodInfo { IsGenericMethod: true } generic)
                            foreach (var argument in generic.GetGenericArguments()) yield return argument;
                        break;
                }
            }

            position += OperandSize(opCode, il, position);
        }
    }

    private static int OperandSize(OpCode opCode, byte[] il, int position) => opCode.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, position),
        _ => 4,
    };

    /// <summary>A type and whatever it is made of: array and pointer elements, generic arguments.</summary>
    private static IEnumerable<Type> Unwrap(Type type)
    {
        if (type.IsGenericParameter) yield break;
        if (type.HasElementType)
        {
            foreach (var element in Unwrap(type.GetElementType()!)) yield return element;
            yield break;
        }

        yield return type.IsGenericType && !type.IsGenericTypeDefinition ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (var argument in type.GetGenericArguments())
            foreach (var inner in Unwrap(argument))
                yield return inner;
        }
    }
}
