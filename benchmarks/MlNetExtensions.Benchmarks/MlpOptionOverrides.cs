using System.Globalization;
using System.Reflection;
using MlNetExtensions.Trainers;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// <c>--mlp Name=Value</c> settings applied by reflection to the MLP options object of whichever task has the property
/// (<see cref="MlpMulticlassTrainer.Options"/>, <see cref="MlpBinaryTrainer.Options"/>, <see cref="MlpRegressionTrainer.Options"/>),
/// so that candidate defaults can be tried without code changes. Values: numbers (invariant culture), <c>true</c>/<c>false</c>,
/// enum members by name, <c>null</c> for nullable and reference types, arrays as <c>128x64</c> or <c>128,64</c> (<c>[]</c> for empty).
/// </summary>
internal sealed class MlpOptionOverrides
{
    private static readonly Type[] OptionTypes = [typeof(MlpMulticlassTrainer.Options), typeof(MlpBinaryTrainer.Options), typeof(MlpRegressionTrainer.Options)];

    private readonly List<(string Name, string Text, Dictionary<Type, (PropertyInfo Property, object? Value)> PerType)> _settings = new();

    /// <summary>The settings as given, in order (<c>Name=Value</c>).</summary>
    public IReadOnlyList<string> Given => _settings.Select(s => $"{s.Name}={s.Text}").ToList();

    /// <summary>
    /// Parses one <c>Name=Value</c> setting; the name is matched case-insensitively against the settable properties of the three
    /// options classes and the value is converted to the property's type now, so mistakes fail before anything runs.
    /// </summary>
    /// <exception cref="ArgumentException">The text is not <c>Name=Value</c>, no options class has the name, or the value does not parse.</exception>
    public void Add(string setting)
    {
        int eq = setting.IndexOf('=');
        if (eq <= 0)
        {
            throw new ArgumentException($"--mlp expects Name=Value, got '{setting}'.");
        }

        string name = setting[..eq].Trim();
        string text = setting[(eq + 1)..].Trim();
        var perType = new Dictionary<Type, (PropertyInfo, object?)>();
        string? canonical = null;
        foreach (Type type in OptionTypes)
        {
            PropertyInfo? p = Settable(type).FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (p is null)
            {
                continue;
            }

            canonical = p.Name;
            if (canonical == nameof(MlpTrainerOptionsBase.Seed))
            {
                throw new ArgumentException("--mlp Seed: the seeds come from --seeds (default 1,2,3).");
            }

            try
            {
                perType[type] = (p, Parse(text, p.PropertyType));
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                throw new ArgumentException($"--mlp {name}: cannot read '{text}' as {Describe(p.PropertyType)} ({e.Message}).", e);
            }
        }

        if (canonical is null)
        {
            throw new ArgumentException($"--mlp: no MLP option is called '{name}'. Valid names:{Environment.NewLine}{ValidNames()}");
        }

        _settings.RemoveAll(s => s.Name == canonical);
        _settings.Add((canonical, text, perType));
    }

    /// <summary>Sets every given property that <paramref name="options"/>' class has; the others are left alone.</summary>
    public void Apply(MlpTrainerOptionsBase options)
    {
        foreach (var (_, _, perType) in _settings)
        {
            if (perType.TryGetValue(options.GetType(), out var pv))
            {
                pv.Property.SetValue(options, pv.Value is Array a ? a.Clone() : pv.Value);
            }
        }
    }

    /// <summary>The valid option names, one per line, with their type and which tasks have them.</summary>
    public static string ValidNames()
    {
        var lines = new SortedDictionary<string, (Type Type, List<string> Tasks)>(StringComparer.Ordinal);
        foreach (Type type in OptionTypes)
        {
            string task = type.DeclaringType!.Name.Replace("Mlp", "", StringComparison.Ordinal).Replace("Trainer", "", StringComparison.Ordinal).ToLowerInvariant();
            foreach (PropertyInfo p in Settable(type))
            {
                if (!lines.TryGetValue(p.Name, out var entry))
                {
                    lines[p.Name] = entry = (p.PropertyType, new List<string>());
                }

                entry.Tasks.Add(task);
            }
        }

        return string.Join(Environment.NewLine, lines.Select(kv =>
            $"  {kv.Key} ({Describe(kv.Value.Type)}){(kv.Value.Tasks.Count == OptionTypes.Length ? "" : " [" + string.Join(", ", kv.Value.Tasks) + " only]")}"));
    }

    /// <summary>Public settable properties whose type a command line can express.</summary>
    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic && IsExpressible(p.PropertyType));

    // Seed stays listed so that --mlp Seed=... gets the pointer to --seeds rather than "unknown name".

    private static bool IsExpressible(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t.IsArray)
        {
            return t.GetArrayRank() == 1 && IsExpressible(t.GetElementType()!) && !t.GetElementType()!.IsArray;
        }

        return t.IsEnum || t == typeof(string) || t == typeof(bool) || t == typeof(int) || t == typeof(long) || t == typeof(float) || t == typeof(double);
    }

    private static string Describe(Type t)
    {
        Type? under = Nullable.GetUnderlyingType(t);
        if (under is not null)
        {
            return Describe(under) + " or null";
        }

        if (t.IsArray)
        {
            return t.GetElementType() == typeof(int) ? "Int32[], e.g. 128x64 or 128,64 or []" : $"{Describe(t.GetElementType()!)}[], comma-separated";
        }

        return t.IsEnum ? $"{t.Name}: {string.Join("|", Enum.GetNames(t))}" : t == typeof(string) ? "String or null" : t.Name;
    }

    /// <summary>Converts the command-line text <paramref name="text"/> to <paramref name="type"/>.</summary>
    internal static object? Parse(string text, Type type)
    {
        bool nullable = !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;
        if (text.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            return nullable ? null : throw new FormatException($"{type.Name} cannot be null");
        }

        Type t = Nullable.GetUnderlyingType(type) ?? type;
        if (t.IsArray)
        {
            Type element = t.GetElementType()!;
            string inner = text.Trim('[', ']', '{', '}', '(', ')', ' ');
            string[] parts = inner.Length == 0 || inner.Equals("none", StringComparison.OrdinalIgnoreCase)
                ? []
                : inner.Split(['x', 'X', ',', ';'], StringSplitOptions.TrimEntries);
            var array = Array.CreateInstance(element, parts.Length);
            for (int i = 0; i < parts.Length; i++)
            {
                array.SetValue(Parse(parts[i], element), i);
            }

            return array;
        }

        if (t.IsEnum)
        {
            if (!Enum.TryParse(t, text, ignoreCase: true, out object? value) || !Enum.IsDefined(t, value!) || int.TryParse(text, out _))
            {
                throw new FormatException($"not a member of {t.Name}");
            }

            return value;
        }

        if (t == typeof(bool))
        {
            return text.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" or "on" => true,
                "false" or "0" or "no" or "off" => false,
                _ => throw new FormatException("expected true or false"),
            };
        }

        if (t == typeof(string))
        {
            return text;
        }

        return Convert.ChangeType(text, t, CultureInfo.InvariantCulture);
    }
}
