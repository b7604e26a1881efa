using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// Every member of ML.NET's internals that MlNetExtensions reaches by reflection, resolved here and nowhere else (each
/// bridge exists because ML.NET offers no public way: a saveable third-party component needs the internal contexts,
/// dotnet/machinelearning #4911 and #6839): the model save/load bridge
/// (<c>ModelSaveContext</c>'s internal members, <c>ModelLoadContext</c>, <c>VersionInfo</c>, the loadable-class registry),
/// a catalog's environment (<c>IInternalCatalog</c>), <see cref="SchemaShape"/>'s internal factory and column
/// constructor, a mapping view's input (<c>IDataTransform.Source</c>) and ML.NET's cancellation flag
/// (<c>ICancelable.IsCanceled</c>). All of them are resolved together, once per process, at the first use of any (and
/// by <see cref="MlNetExtensionsRegistration.RegisterMlNetExtensions"/>, which forces it). A member this ML.NET lacks
/// gives one <see cref="InvalidOperationException"/> naming the member and the loaded ML.NET version, the same one at
/// every later use, never a <see cref="NullReferenceException"/> or <see cref="TypeInitializationException"/>.
/// The names of internal members are strings (nameof cannot reach them), each written once, in the check that finds it.
/// </summary>
internal sealed class MlNetInternals
{
    /// <summary>The Microsoft.ML versions the members below were checked against (the package range of every project).</summary>
    internal const string SupportedRange = "[5.0.1, 6.0)";

    private const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;

    private static readonly Lazy<MlNetInternals> s_current = new(() => new MlNetInternals(static name => name));

    /// <summary>The members, resolved at the first call (the same exception at every call if one is missing).</summary>
    internal static MlNetInternals Current => s_current.Value;

    /// <summary>Resolves every member now: a clear exception if this ML.NET lacks one.</summary>
    internal static void EnsureResolved() => _ = s_current.Value;

    private readonly Func<string, string> _rename;
    private readonly List<(string Name, MemberInfo Member)> _resolved = new();

    /// <summary>Resolves every member; <paramref name="rename"/> maps each internal name before it is looked up (the
    /// identity, except in the test that checks the message for a missing member).</summary>
    internal MlNetInternals(Func<string, string> rename)
    {
        _rename = rename;
        Assembly core = typeof(ModelSaveContext).Assembly, data = typeof(MLContext).Assembly;

        // Save/load bridge.
        VersionInfo = TypeIn(core, "Microsoft.ML.VersionInfo");
        VersionInfoConstructor = Constructor(VersionInfo,
            typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string));
        SaveCheckAtModel = Method(typeof(ModelSaveContext), "CheckAtModel", typeof(void));
        SaveSetVersionInfo = Method(typeof(ModelSaveContext), "SetVersionInfo", typeof(void), VersionInfo);
        SaveWriter = Field(typeof(ModelSaveContext), "Writer", typeof(BinaryWriter));
        LoadContext = TypeIn(core, "Microsoft.ML.ModelLoadContext");
        LoadCheckAtModel = Method(LoadContext, "CheckAtModel", typeof(void), VersionInfo);
        LoadReader = Field(LoadContext, "Reader", typeof(BinaryReader));

        // Loader registration.
        SignatureLoadModel = TypeIn(core, "Microsoft.ML.SignatureLoadModel");
        var attribute = TypeIn(core, "Microsoft.ML.LoadableClassAttribute");
        var attributeBase = TypeIn(core, "Microsoft.ML.LoadableClassAttributeBase");
        // (instance type, loader type, arguments type, signature type, user name, load names)
        LoadableClassAttributeConstructor = Constructor(attribute,
            typeof(Type), typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[]));
        var classInfo = NestedType(typeof(ComponentCatalog), "LoadableClassInfo");
        // (attribute, getter, constructor, create method, requires environment)
        LoadableClassInfoConstructor = Constructor(classInfo,
            attributeBase, typeof(MethodInfo), typeof(ConstructorInfo), typeof(MethodInfo), typeof(bool));
        CatalogAddClass = Method(typeof(ComponentCatalog), "AddClass", typeof(void), classInfo, typeof(string[]), typeof(bool));

        // A catalog's environment.
        InternalCatalog = TypeIn(data, "Microsoft.ML.Data.IInternalCatalog");
        CatalogEnvironmentGetter = Getter(InternalCatalog, "Environment", typeof(IHostEnvironment));

        // SchemaShape.
        SchemaShapeCreate = Method(typeof(SchemaShape), "Create", typeof(SchemaShape), typeof(DataViewSchema));
        SchemaColumnConstructor = Constructor(typeof(SchemaShape.Column),
            typeof(string), typeof(SchemaShape.Column.VectorKind), typeof(DataViewType), typeof(bool), typeof(SchemaShape));

        // A mapping view's input.
        DataTransform = TypeIn(data, "Microsoft.ML.Data.IDataTransform");
        DataTransformSourceGetter = Getter(DataTransform, "Source", typeof(IDataView));

        // ML.NET's cancellation (MLContext.CancelExecution).
        Cancelable = TypeIn(core, "Microsoft.ML.Runtime.ICancelable");
        IsCanceledGetter = Getter(Cancelable, "IsCanceled", typeof(bool));
        IsCanceledInvoker = MethodInvoker.Create(IsCanceledGetter);
    }

    /// <summary><c>Microsoft.ML.VersionInfo</c>, an entry's header.</summary>
    internal Type VersionInfo { get; }

    /// <summary><c>VersionInfo(modelSignature, verWrittenCur, verReadableCur, verWeCanReadBack, loaderAssemblyName, loaderSignature, loaderSignatureAlt)</c>.</summary>
    internal ConstructorInfo VersionInfoConstructor { get; }

    /// <summary><c>ModelSaveContext.CheckAtModel()</c>.</summary>
    internal MethodInfo SaveCheckAtModel { get; }

    /// <summary><c>ModelSaveContext.SetVersionInfo(VersionInfo)</c>.</summary>
    internal MethodInfo SaveSetVersionInfo { get; }

    /// <summary><c>ModelSaveContext.Writer</c>.</summary>
    internal FieldInfo SaveWriter { get; }

    /// <summary><c>Microsoft.ML.ModelLoadContext</c>.</summary>
    internal Type LoadContext { get; }

    /// <summary><c>ModelLoadContext.CheckAtModel(VersionInfo)</c>.</summary>
    internal MethodInfo LoadCheckAtModel { get; }

    /// <summary><c>ModelLoadContext.Reader</c>.</summary>
    internal FieldInfo LoadReader { get; }

    /// <summary><c>Microsoft.ML.SignatureLoadModel</c>, the signature of a loader.</summary>
    internal Type SignatureLoadModel { get; }

    /// <summary><c>LoadableClassAttribute(instType, loaderType, argType, sigType, userName, loadNames)</c>.</summary>
    internal ConstructorInfo LoadableClassAttributeConstructor { get; }

    /// <summary><c>ComponentCatalog.LoadableClassInfo(attr, getter, ctor, create, requireEnvironment)</c>.</summary>
    internal ConstructorInfo LoadableClassInfoConstructor { get; }

    /// <summary><c>ComponentCatalog.AddClass(LoadableClassInfo, string[], bool)</c>.</summary>
    internal MethodInfo CatalogAddClass { get; }

    /// <summary><c>Microsoft.ML.Data.IInternalCatalog</c>, implemented by every catalog of an <see cref="MLContext"/>.</summary>
    internal Type InternalCatalog { get; }

    /// <summary><c>IInternalCatalog.Environment</c>'s getter.</summary>
    internal MethodInfo CatalogEnvironmentGetter { get; }

    /// <summary><c>SchemaShape.Create(DataViewSchema)</c>.</summary>
    internal MethodInfo SchemaShapeCreate { get; }

    /// <summary><c>SchemaShape.Column(name, vecKind, itemType, isKey, annotations)</c>.</summary>
    internal ConstructorInfo SchemaColumnConstructor { get; }

    /// <summary><c>Microsoft.ML.Data.IDataTransform</c>, a view computed from one input view.</summary>
    internal Type DataTransform { get; }

    /// <summary><c>IDataTransform.Source</c>'s getter.</summary>
    internal MethodInfo DataTransformSourceGetter { get; }

    /// <summary><c>Microsoft.ML.Runtime.ICancelable</c>, implemented by the context and its hosts.</summary>
    internal Type Cancelable { get; }

    /// <summary><c>ICancelable.IsCanceled</c>'s getter.</summary>
    internal MethodInfo IsCanceledGetter { get; }

    /// <summary><see cref="IsCanceledGetter"/>, for the training loop's per-minibatch check.</summary>
    internal MethodInvoker IsCanceledInvoker { get; }

    /// <summary>Every member resolved, with the name used in messages, in resolution order.</summary>
    internal IReadOnlyList<(string Name, MemberInfo Member)> Resolved => _resolved;

    /// <summary>The Microsoft.ML version loaded in this process, as its package names it (e.g. "5.0.1").</summary>
    internal static string LoadedVersion(Assembly assembly)
    {
        string? informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        // "5.0.1+<commit>": the package version before the build metadata; the assembly version (1.0.0.0) says nothing.
        return informational is null ? assembly.GetName().Version?.ToString() ?? "(unknown version)" : informational.Split('+')[0];
    }

    private InvalidOperationException Missing(string member, Assembly assembly) => new(
        $"MlNetExtensions cannot run on this ML.NET: it needs the internal member {member} of {assembly.GetName().Name}, " +
        $"which Microsoft.ML {LoadedVersion(assembly)} does not have (or has with another signature). " +
        $"MlNetExtensions supports Microsoft.ML {SupportedRange}: reference a version in that range.");

    private T Add<T>(string name, T member) where T : MemberInfo
    {
        _resolved.Add((name, member));
        return member;
    }

    private Type TypeIn(Assembly assembly, string fullName) =>
        Add(fullName, assembly.GetType(_rename(fullName), throwOnError: false) ?? throw Missing($"type {fullName}", assembly));

    private Type NestedType(Type outer, string name) =>
        Add($"{outer.FullName}.{name}", outer.GetNestedType(_rename(name), Any) ?? throw Missing($"type {outer.FullName}.{name}", outer.Assembly));

    private static string Signature(IEnumerable<Type> types) => string.Join(", ", types.Select(t => t.Name));

    private ConstructorInfo Constructor(Type type, params Type[] parameters)
    {
        string name = $"{type.FullName}({Signature(parameters)})";
        return Add(name, type.GetConstructor(Any, parameters) ?? throw Missing($"constructor {name}", type.Assembly));
    }

    private MethodInfo Method(Type type, string method, Type returns, params Type[] parameters)
    {
        string name = $"{type.FullName}.{method}({Signature(parameters)})";
        var found = type.GetMethod(_rename(method), Any, parameters);
        return Add(name, found is not null && found.ReturnType == returns ? found : throw Missing($"method {name} returning {returns.Name}", type.Assembly));
    }

    private FieldInfo Field(Type type, string field, Type fieldType)
    {
        string name = $"{type.FullName}.{field}";
        var found = type.GetField(_rename(field), Any);
        return Add(name, found is not null && found.FieldType == fieldType ? found : throw Missing($"field {name} of type {fieldType.Name}", type.Assembly));
    }

    private MethodInfo Getter(Type type, string property, Type propertyType)
    {
        string name = $"{type.FullName}.{property}";
        var found = type.GetProperty(_rename(property), Any)?.GetMethod;
        return Add(name, found is not null && found.ReturnType == propertyType ? found : throw Missing($"property {name} of type {propertyType.Name}", type.Assembly));
    }
}
