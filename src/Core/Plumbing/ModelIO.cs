using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// The one bridge into ML.NET's model (de)serialization. <c>ModelSaveContext</c>'s members,
/// <c>ModelLoadContext</c>, <c>VersionInfo</c> and the loadable-class registry are internal to
/// Microsoft.ML 5.0.x, so they are reached by reflection (resolved in <see cref="MlNetInternals"/>). The members
/// used have been stable since ML.NET 1.5; the package is pinned to [5.0.1,6.0) and a test saves and loads in a
/// new process.
/// </summary>
internal static class ModelIO
{
    private static object MakeVersionInfo(MlNetInternals ml, ModelFormat format, string assemblyName) =>
        // (written, oldest build version that reads what is written now, oldest version this build reads back)
        ml.VersionInfoConstructor.Invoke(new object?[] { format.ModelSignature, format.Version, format.Version, format.ReadsBackFrom,
            assemblyName, format.LoaderSignature, null });

    /// <summary>Writes the entry header for <paramref name="format"/> and returns the payload writer.</summary>
    public static BinaryWriter BeginSave(ModelSaveContext context, ModelFormat format, Assembly loaderAssembly)
    {
        var ml = MlNetInternals.Current;
        ml.SaveCheckAtModel.Invoke(context, null);
        // The simple assembly name (no version): ML.NET calls Assembly.Load on it before looking the loader up.
        var info = MakeVersionInfo(ml, format, loaderAssembly.GetName().Name!);
        ml.SaveSetVersionInfo.Invoke(context, new[] { info });
        return (BinaryWriter)ml.SaveWriter.GetValue(context)!;
    }

    /// <summary>Checks the entry header against <paramref name="format"/> and returns the payload reader.</summary>
    /// <exception cref="FormatException">The entry was written by another component or an unknown format version.</exception>
    public static BinaryReader BeginLoad(object loadContext, ModelFormat format, Assembly loaderAssembly)
    {
        var ml = MlNetInternals.Current;
        if (!ml.LoadContext.IsInstanceOfType(loadContext))
            throw new ArgumentException($"Expected an ML.NET ModelLoadContext, got {loadContext.GetType().FullName}.", nameof(loadContext));
        try
        {
            ml.LoadCheckAtModel.Invoke(loadContext, new[] { MakeVersionInfo(ml, format, loaderAssembly.GetName().Name!) });
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new FormatException(
                $"The model entry for '{format.LoaderSignature}' cannot be read by this version of {loaderAssembly.GetName().Name} " +
                (format.ReadsBackFrom == format.Version ? $"(it reads format version 0x{format.Version:X8} only): " : $"(it reads format versions 0x{format.ReadsBackFrom:X8} to 0x{format.Version:X8}): ") + e.InnerException.Message, e.InnerException);
        }
        return (BinaryReader)ml.LoadReader.GetValue(loadContext)!;
    }

    /// <summary>
    /// Registers <paramref name="create"/> as the loader of <paramref name="format"/> in <paramref name="catalog"/>.
    /// <paramref name="create"/> is a static method <c>(IHostEnvironment env, object context)</c>.
    /// </summary>
    public static void RegisterLoader(ComponentCatalog catalog, ModelFormat format, Type instanceType, MethodInfo create)
    {
        format.Validate();
        var ml = MlNetInternals.Current;
        var attribute = ml.LoadableClassAttributeConstructor.Invoke(new object?[] { instanceType, create.DeclaringType, null,
            ml.SignatureLoadModel, "", new[] { format.LoaderSignature } });
        var info = ml.LoadableClassInfoConstructor.Invoke(new object?[] { attribute, null, null, create, true });
        ml.CatalogAddClass.Invoke(catalog, new object[] { info, new[] { format.LoaderSignature }, false });
    }
}
