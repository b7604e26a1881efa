using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetExtensions.Plumbing;

/// <summary>Gets the <see cref="IHostEnvironment"/> behind an ML.NET catalog (its accessor is internal).</summary>
internal static class CatalogEnvironment
{
    /// <summary>The environment of <paramref name="catalog"/>, a catalog or trainer catalog of an <see cref="MLContext"/>.</summary>
    public static IHostEnvironment Of(object catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (catalog is IHostEnvironment env) return env;
        var ml = MlNetInternals.Current;
        if (!ml.InternalCatalog.IsInstanceOfType(catalog))
            throw new ArgumentException($"{catalog.GetType().Name} is not an ML.NET catalog.", nameof(catalog));
        return (IHostEnvironment)ml.CatalogEnvironmentGetter.Invoke(catalog, null)!;
    }
}
