using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.ML;
using MlNetExtensions.Trainers;
using MlNetExtensions.Transforms;

namespace MlNetExtensions.Tests.Documentation;

/// <summary>
/// Issue 15: an IntelliSense user should not need the README. Every option the shipped assemblies expose (found by
/// reflection: each public type named *Options, and each concrete <see cref="AugmentationOperation"/>, with their public
/// settable members, inherited ones under their declaring type's doc id) and every parameter of the catalog methods that
/// build an estimator must say in its XML doc (the .xml beside each assembly) "Default v", v being the value a fresh
/// options object (or the parameter's default) actually holds, and, when it is a number, "Range" followed by an interval.
/// </summary>
public class OptionDocsTests
{
    private static readonly Assembly[] Shipped =
        new[] { typeof(MlpCatalog).Assembly, typeof(TransformsCatalogExtensions).Assembly, typeof(LabelSmoothingForm).Assembly }.Distinct().ToArray();

    private static readonly Lazy<Dictionary<string, XElement>> Docs = new(LoadDocs);

    /// <summary>"Range", a few words at most, then an interval such as [0, 1), (0, ∞) or [1, int.MaxValue].</summary>
    private static readonly Regex RangeStatement = new(@"\bRange\b[^\[(.;]{0,40}[\[(][^\[\]()]*,[^\[\]()]*[\])]", RegexOptions.CultureInvariant);

    private static readonly Regex DefaultStatement = new(@"\bDefault\b:?\s*", RegexOptions.CultureInvariant);

    [Fact]
    public void EveryOptionStatesItsDefaultAndNumericOnesTheirRange()
    {
        var types = OptionTypes().ToList();
        // The scan must see the options the brief is about (a scan that found nothing would pass vacuously).
        Assert.Contains(typeof(MlpMulticlassTrainer.Options), types);
        Assert.Contains(typeof(MlpBinaryTrainer.Options), types);
        Assert.Contains(typeof(MlpRegressionTrainer.Options), types);
        Assert.Contains(typeof(MlpMultiOutputRegressionTrainer.Options), types);
        Assert.Contains(typeof(ImageAugmentationOptions), types);
        Assert.Contains(typeof(NoiseInjectionOptions), types);
        Assert.Contains(typeof(LabelSmoothingOptions), types);
        Assert.Contains(typeof(Affine), types);

        var failures = new SortedSet<string>(StringComparer.Ordinal);
        int checkedMembers = 0;
        foreach (var type in types)
        {
            object instance = Activator.CreateInstance(type)!;
            foreach (var (member, valueType, value) in SettableMembers(type, instance))
            {
                checkedMembers++;
                string id = MemberId(member);
                string? text = DocText(id, "summary", "value", "remarks");
                if (string.IsNullOrWhiteSpace(text)) { failures.Add($"{id}: no documentation"); continue; }
                if (DefaultProblem(text, value, valueType) is { } problem) failures.Add($"{id} ({type.Name}): {problem}. Doc: {text}");
                if (IsNumeric(valueType) && !RangeStatement.IsMatch(text)) failures.Add($"{id}: numeric, but states no \"Range [a, b]\". Doc: {text}");
            }
        }
        Assert.True(checkedMembers > 60, $"only {checkedMembers} option members found");
        Assert.True(failures.Count == 0, $"{failures.Count} option docs lack their default or range:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void EveryCatalogParameterStatesItsDefaultAndNumericOnesTheirRange()
    {
        var optionTypes = OptionTypes().ToHashSet();
        var methods = Shipped.SelectMany(a => a.GetExportedTypes())
            .Where(t => t.IsAbstract && t.IsSealed) // static classes
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.IsDefined(typeof(ExtensionAttribute)) && BuildsAnEstimator(m.ReturnType))
            .ToList();
        Assert.Contains(methods, m => m.Name == nameof(MlpCatalog.Mlp) && m.GetParameters().Length > 2);
        Assert.Contains(methods, m => m.Name == nameof(TransformsCatalogExtensions.InjectNoise) && m.GetParameters().Length > 2);

        var failures = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var method in methods)
        {
            string id = MethodId(method);
            if (!Docs.Value.TryGetValue(id, out var doc)) { failures.Add($"{id}: no documentation"); continue; }
            foreach (var parameter in method.GetParameters().Skip(1)) // the first is the catalog the method extends
            {
                if (optionTypes.Contains(parameter.ParameterType)) continue; // documented member by member above
                var element = doc.Elements("param").FirstOrDefault(p => (string?)p.Attribute("name") == parameter.Name);
                string text = element is null ? "" : Normalize(Render(element));
                string where = $"{id} parameter {parameter.Name}";
                if (text.Length == 0) { failures.Add($"{where}: no documentation"); continue; }
                if (parameter.HasDefaultValue && DefaultProblem(text, DefaultOf(parameter), parameter.ParameterType) is { } problem)
                    failures.Add($"{where}: {problem}. Doc: {text}");
                if (IsNumeric(parameter.ParameterType) && !RangeStatement.IsMatch(text))
                    failures.Add($"{where}: numeric, but states no \"Range [a, b]\". Doc: {text}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} catalog parameter docs lack their default or range:\n" + string.Join("\n", failures));
    }

    [Fact]
    public void EveryMemberOfAnOptionsEnumIsDocumented()
    {
        var enums = OptionTypes()
            .SelectMany(t => SettableMembers(t, Activator.CreateInstance(t)!))
            .Select(m => Nullable.GetUnderlyingType(m.Type) ?? m.Type)
            .Where(t => t.IsEnum)
            .Distinct()
            .ToList();
        Assert.Contains(typeof(OptimizerKind), enums);
        var failures = new List<string>();
        foreach (var type in enums)
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                string id = MemberId(field);
                if (string.IsNullOrWhiteSpace(DocText(id, "summary"))) failures.Add($"{id}: no documentation");
            }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The checks themselves: a lost or wrong default, or a lost range, is caught.</summary>
    [Fact]
    public void TheChecksRejectAMissingOrWrongDefaultAndAMissingRange()
    {
        Assert.NotNull(DefaultProblem("Momentum α. Range [0, 1).", 0.9f, typeof(float)));
        Assert.NotNull(DefaultProblem("Momentum α. Range [0, 1). Default 0.95.", 0.9f, typeof(float)));
        Assert.NotNull(DefaultProblem("Rate. Default 0.001.", 0f, typeof(float)));
        Assert.NotNull(DefaultProblem("Size. DefaultLabelSmoothing applies.", 0.05f, typeof(float)));
        Assert.Null(DefaultProblem("Momentum α. Range [0, 1). Default 0.9.", 0.9f, typeof(float)));
        Assert.Null(DefaultProblem("Epochs. Default null: automatic.", null, typeof(int?)));
        Assert.Null(DefaultProblem("Widths. Default {128, 64}.", new[] { 128, 64 }, typeof(int[])));
        Assert.Null(DefaultProblem("Angle. Default [-15, 15].", FloatRange.Symmetric(15), typeof(FloatRange)));
        Assert.Null(DefaultProblem("Rule. Default Adam.", OptimizerKind.Adam, typeof(OptimizerKind)));
        Assert.DoesNotMatch(RangeStatement, "Momentum α. Default 0.9 (AdaGrad 1e-7, Adam 1e-8).");
        Assert.Matches(RangeStatement, "Momentum α. Range [0, 1). Default 0.9.");
        Assert.Matches(RangeStatement, "Widths. Range of each width [1, int.MaxValue].");
    }

    // ---- what is checked ----

    /// <summary>Public types named *Options and the concrete augmentation operations (their init properties are options).</summary>
    private static IEnumerable<Type> OptionTypes() => Shipped
        .SelectMany(a => a.GetExportedTypes())
        .Where(t => t.IsClass && !t.IsAbstract && t.GetConstructor(Type.EmptyTypes) is not null
            && (t.Name.EndsWith("Options", StringComparison.Ordinal) || t.IsSubclassOf(typeof(AugmentationOperation))))
        .OrderBy(t => t.FullName, StringComparer.Ordinal);

    /// <summary>Public instance fields and properties with a public setter (init included), inherited ones too.</summary>
    private static IEnumerable<(MemberInfo Member, Type Type, object? Value)> SettableMembers(Type type, object instance)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0)
                yield return (p, p.PropertyType, p.GetValue(instance));
        foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
            yield return (f, f.FieldType, f.GetValue(instance));
    }

    private static bool BuildsAnEstimator(Type type) =>
        type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEstimator<>));

    private static bool IsNumeric(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsArray) type = type.GetElementType()!;
        if (type == typeof(FloatRange)) return true;
        return !type.IsEnum && Type.GetTypeCode(type) is >= TypeCode.SByte and <= TypeCode.Decimal;
    }

    private static object? DefaultOf(ParameterInfo parameter)
    {
        var value = parameter.DefaultValue;
        var type = Nullable.GetUnderlyingType(parameter.ParameterType) ?? parameter.ParameterType;
        return value is not null && type.IsEnum && value.GetType() != type ? Enum.ToObject(type, value) : value;
    }

    /// <summary>Null when <paramref name="text"/> says "Default v" for the actual value, else what is wrong.</summary>
    private static string? DefaultProblem(string text, object? value, Type type)
    {
        var statements = DefaultStatement.Matches(text);
        if (statements.Count == 0) return "states no default (\"Default …\")";
        var expected = Spellings(value, type);
        if (expected is null) return null; // a value no doc spells (a CancellationToken): the statement is enough
        foreach (Match m in statements)
        {
            string rest = text[(m.Index + m.Length)..];
            if (expected.Any(e => StartsWithToken(rest, e))) return null;
        }
        return $"its default is not stated as it is in the code: expected {string.Join(" or ", expected.Select(e => $"\"Default {e}\""))}";
    }

    private static bool StartsWithToken(string rest, string token)
    {
        if (!rest.StartsWith(token, StringComparison.Ordinal)) return false;
        if (rest.Length == token.Length) return true;
        char next = rest[token.Length];
        if (char.IsLetterOrDigit(next)) return false;
        return !(next == '.' && rest.Length > token.Length + 1 && char.IsDigit(rest[token.Length + 1])); // "0" is not "0.001"
    }

    /// <summary>How a doc may spell <paramref name="value"/> after "Default"; null when it has no spelling to check.</summary>
    private static string[]? Spellings(object? value, Type type) => value switch
    {
        null => new[] { "null", "none" },
        bool b => new[] { b ? "true" : "false" },
        string s => new[] { $"\"{s}\"" },
        Enum e => new[] { e.ToString() },
        FloatRange r => new[] { $"[{Number(r.Minimum)}, {Number(r.Maximum)}]" },
        Array { Length: 0 } => new[] { "{}", "none", "empty" },
        Array a when IsNumeric(a.GetType()) => new[] { "{" + string.Join(", ", a.Cast<object>().Select(Number)) + "}" },
        ICollection { Count: 0 } => new[] { "none", "empty" },
        IFormattable when Type.GetTypeCode(value.GetType()) is >= TypeCode.SByte and <= TypeCode.Decimal => new[] { Number(value) },
        _ => null,
    };

    private static string Number(object value) => ((IFormattable)value).ToString(null, CultureInfo.InvariantCulture);

    // ---- doc ids and the XML files ----

    private static string TypeId(Type type)
    {
        if (type.IsByRef) return TypeId(type.GetElementType()!) + "@";
        if (type.IsArray) return TypeId(type.GetElementType()!) + "[]";
        if (type.IsGenericParameter) return (type.DeclaringMethod is null ? "`" : "``") + type.GenericParameterPosition.ToString(CultureInfo.InvariantCulture);
        if (type.IsConstructedGenericType)
        {
            string name = TypeId(type.GetGenericTypeDefinition());
            return name[..name.LastIndexOf('`')] + "{" + string.Join(",", type.GetGenericArguments().Select(TypeId)) + "}";
        }
        return type.FullName!.Replace('+', '.');
    }

    private static string MemberId(MemberInfo member) =>
        (member is FieldInfo ? "F:" : "P:") + TypeId(member.DeclaringType!) + "." + member.Name;

    private static string MethodId(MethodInfo method) =>
        "M:" + TypeId(method.DeclaringType!) + "." + method.Name + "(" + string.Join(",", method.GetParameters().Select(p => TypeId(p.ParameterType))) + ")";

    private static Dictionary<string, XElement> LoadDocs()
    {
        var docs = new Dictionary<string, XElement>(StringComparer.Ordinal);
        foreach (var assembly in Shipped)
        {
            string path = Path.ChangeExtension(assembly.Location, ".xml");
            Assert.True(File.Exists(path), $"No XML documentation beside {assembly.Location} (GenerateDocumentationFile in Directory.Build.props).");
            foreach (var member in XDocument.Load(path).Descendants("member"))
                if ((string?)member.Attribute("name") is { } name) docs[name] = member;
        }
        return docs;
    }

    /// <summary>The plain text of the member's <paramref name="parts"/>, or null when it has no documentation.</summary>
    private static string? DocText(string id, params string[] parts)
    {
        if (!Docs.Value.TryGetValue(id, out var member)) return null;
        var text = new StringBuilder();
        foreach (var part in parts)
            foreach (var element in member.Elements(part)) text.Append(Render(element)).Append(' ');
        return Normalize(text.ToString());
    }

    /// <summary>The text IntelliSense shows: a cref as its last name, a langword as itself.</summary>
    private static string Render(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            if (node is XText t) { text.Append(t.Value); continue; }
            if (node is not XElement e) continue;
            if (e.Attribute("cref") is { } cref && e.IsEmpty) text.Append(ShortName(cref.Value));
            else if (e.Attribute("langword") is { } word) text.Append(word.Value);
            else if (e.Name.LocalName is "paramref" or "typeparamref") text.Append((string?)e.Attribute("name"));
            else text.Append(Render(e));
        }
        return text.ToString();
    }

    private static string ShortName(string cref)
    {
        string name = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        int paren = name.IndexOf('(');
        if (paren >= 0) name = name[..paren];
        return name[(name.LastIndexOf('.') + 1)..];
    }

    private static string Normalize(string text) => Regex.Replace(text, @"\s+", " ").Trim().Replace('\u2212', '-');
}
