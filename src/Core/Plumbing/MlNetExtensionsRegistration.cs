using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions;

/// <summary>
/// The call a program makes before <c>mlContext.Model.Load</c> of a model that contains MlNetExtensions
/// components: <c>mlContext.ComponentCatalog.RegisterMlNetExtensions();</c>.
/// </summary>
public static class MlNetExtensionsRegistration
{
    private static readonly string[] KnownAssemblies = { "MlNetExtensions.Trainers", "MlNetExtensions.Transforms" };
    private static readonly ConditionalWeakTable<ComponentCatalog, HashSet<string>> Registered = new();

    /// <summary>
    /// Registers the loaders of every MlNetExtensions trainer and transform with <paramref name="catalog"/>,
    /// so that <c>mlContext.Model.Load</c> can read models that contain them. Call it once per
    /// <see cref="MLContext"/> before loading; calling it again does nothing.
    /// </summary>
    /// <param name="catalog">The catalog of the <see cref="MLContext"/> that will load the model (<c>mlContext.ComponentCatalog</c>).</param>
    /// <returns>The same catalog.</returns>
    /// <exception cref="InvalidOperationException">The Microsoft.ML loaded in this process lacks an internal member that
    /// MlNetExtensions uses (a version outside [5.0.1, 6.0)); the message names the member and the version.</exception>
    public static ComponentCatalog RegisterMlNetExtensions(this ComponentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        // Every reflected member of ML.NET, resolved now: one clear exception here if this ML.NET lacks one.
        MlNetInternals.EnsureResolved();
        var done = Registered.GetValue(catalog, _ => new HashSet<string>());
        lock (done)
        {
            foreach (var type in FindLoadableTypes())
            {
                var format = GetStaticFormat(type);
                if (!done.Add(format.LoaderSignature)) continue;
                var create = typeof(ComponentLoader<>).MakeGenericType(type).GetMethod(nameof(ComponentLoader<>.Create), BindingFlags.Public | BindingFlags.Static)!;
                ModelIO.RegisterLoader(catalog, format, type, create);
            }
        }
        return catalog;
    }

    private static ModelFormat GetStaticFormat(Type type)
    {
        // Static abstract members implemented explicitly are found through the interface map.
        var iface = typeof(ILoadableComponent<>).MakeGenericType(type);
        var map = type.GetInterfaceMap(iface);
        var getter = iface.GetProperty(nameof(ILoadableComponent<>.Format))!.GetMethod;
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
            if (map.InterfaceMethods[i] == getter)
                return (ModelFormat)map.TargetMethods[i].Invoke(null, null)!;
        throw new InvalidOperationException($"{type.FullName} has no model format.");
    }

    private static IEnumerable<Type> FindLoadableTypes()
    {
        foreach (var name in KnownAssemblies)
        {
            try { Assembly.Load(name); }
            catch (FileNotFoundException) { /* that package is not referenced by this program */ }
        }
        var core = typeof(MlNetExtensionsRegistration).Assembly;
        var assemblies = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a == core || a.GetReferencedAssemblies().Any(r => r.Name == core.GetName().Name))
            .OrderBy(a => a.GetName().Name, StringComparer.Ordinal);
        foreach (var assembly in assemblies)
        {
            Type[] types;
            try { types = assembly.GetTypes(); }
            catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).ToArray()!; }
            foreach (var t in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
                if (!t.IsAbstract && !t.IsGenericTypeDefinition &&
                    t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ILoadableComponent<>)))
                    yield return t;
        }
    }
}
