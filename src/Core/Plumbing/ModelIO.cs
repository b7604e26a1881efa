using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// The one bridge into ML.NET's model (de)serialization. <c>ModelSaveContext</c>'s members,
/// <c>ModelLoadContext</c>, <c>VersionInfo</c> and the loadable-class registry are internal to
/// Microsoft.ML 5.0.x, so they are reached by reflection here and nowhere else. The members used
/// have been stable since ML.NET 1.5; the package is pinned to [5.0.1,6.0) and a test saves and
/// loads in a new process.
/// </summary>
internal static class ModelIO
{
    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
    private static readonly Assembly CoreAssembly = typeof(ICanSaveModel).Assembly;
    private static readonly Type VersionInfoType = CoreAssembly.GetType("Microsoft.ML.VersionInfo", throwOnError: true)!;
    private static readonly Type LoadContextType = CoreAssembly.GetType("Microsoft.ML.ModelLoadContext", throwOnError: true)!;
    private static readonly Type SignatureLoadModelType = CoreAssembly.GetType("Microsoft.ML.SignatureLoadModel", throwOnError: true)!;
    private static readonly Type LoadableAttributeType = CoreAssembly.GetType("Microsoft.ML.LoadableClassAttribute", throwOnError: true)!;
    private static readonly Type LoadableAttributeBaseType = CoreAssembly.GetType("Microsoft.ML.LoadableClassAttributeBase", throwOnError: true)!;
    private static readonly Type ClassInfoType = typeof(ComponentCatalog).GetNestedType("LoadableClassInfo", Any)!;

    private static object MakeVersionInfo(ModelFormat format, string assemblyName) =>
        // (written, oldest build version that reads what is written now, oldest version this build reads back)
        Activator.CreateInstance(VersionInfoType, format.ModelSignature, format.Version, format.Version, format.ReadsBackFrom,
            assemblyName, format.LoaderSignature, null)!;

    /// <summary>Writes the entry header for <paramref name="format"/> and returns the payload writer.</summary>
    public static BinaryWriter BeginSave(ModelSaveContext context, ModelFormat format, Assembly loaderAssembly)
    {
        typeof(ModelSaveContext).GetMethod("CheckAtModel", Any, Type.EmptyTypes)!.Invoke(context, null);
        // The simple assembly name (no version): ML.NET calls Assembly.Load on it before looking the loader up.
        var info = MakeVersionInfo(format, loaderAssembly.GetName().Name!);
        typeof(ModelSaveContext).GetMethod("SetVersionInfo", Any)!.Invoke(context, new[] { info });
        return (BinaryWriter)typeof(ModelSaveContext).GetField("Writer", Any)!.GetValue(context)!;
    }

    /// <summary>Checks the entry header against <paramref name="format"/> and returns the payload reader.</summary>
    /// <exception cref="FormatException">The entry was written by another component or an unknown format version.</exception>
    public static BinaryReader BeginLoad(object loadContext, ModelFormat format, Assembly loaderAssembly)
    {
        if (!LoadContextType.IsInstanceOfType(loadContext))
            throw new ArgumentException($"Expected an ML.NET ModelLoadContext, got {loadContext.GetType().FullName}.", nameof(loadContext));
        try
        {
            LoadContextType.GetMethod("CheckAtModel", Any, new[] { VersionInfoType })!
                .Invoke(loadContext, new[] { MakeVersionInfo(format, loaderAssembly.GetName().Name!) });
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw new FormatException(
                $"The model entry for '{format.LoaderSignature}' cannot be read by this version of {loaderAssembly.GetName().Name} " +
                (format.ReadsBackFrom == format.Version ? $"(it reads format version 0x{format.Version:X8} only): " : $"(it reads format versions 0x{format.ReadsBackFrom:X8} to 0x{format.Version:X8}): ") + e.InnerException.Message, e.InnerException);
        }
        return (BinaryReader)LoadContextType.GetField("Reader", Any)!.GetValue(loadContext)!;
    }

    /// <summary>
    /// Registers <paramref name="create"/> as the loader of <paramref name="format"/> in <paramref name="catalog"/>.
    /// <paramref name="create"/> is a static method <c>(IHostEnvironment env, object context)</c>.
    /// </summary>
    public static void RegisterLoader(ComponentCatalog catalog, ModelFormat format, Type instanceType, MethodInfo create)
    {
        format.Validate();
        var attribute = Activator.CreateInstance(LoadableAttributeType, instanceType, create.DeclaringType, null,
            SignatureLoadModelType, "", new[] { format.LoaderSignature })!;
        var ctor = ClassInfoType.GetConstructor(Any,
            new[] { LoadableAttributeBaseType, typeof(MethodInfo), typeof(ConstructorInfo), typeof(MethodInfo), typeof(bool) })!;
        var info = ctor.Invoke(new object?[] { attribute, null, null, create, true });
        typeof(ComponentCatalog).GetMethod("AddClass", Any)!.Invoke(catalog, new object[] { info, new[] { format.LoaderSignature }, false });
    }
}
