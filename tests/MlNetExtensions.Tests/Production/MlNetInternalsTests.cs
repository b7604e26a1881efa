using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MlNetExtensions.Plumbing;

namespace MlNetExtensions.Tests.Production;

/// <summary>Every member of ML.NET's internals that MlNetExtensions reflects into resolves on the Microsoft.ML in use, and a
/// missing one gives a message naming it and the version.</summary>
public class MlNetInternalsTests
{
    [Fact]
    public void EveryReflectedMemberResolves()
    {
        var ml = new MlNetInternals(static name => name);
        // Every member property of the holder is set (a property added without a check would be null here).
        var properties = typeof(MlNetInternals).GetProperties(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)
            .Where(p => typeof(MemberInfo).IsAssignableFrom(p.PropertyType)).ToList();
        Assert.True(properties.Count >= 20, $"{properties.Count} members");
        foreach (var p in properties) Assert.True(p.GetValue(ml) is not null, $"{p.Name} was not resolved");
        Assert.NotNull(ml.IsCanceledInvoker);
        // The list of what was resolved holds each of them (and the intermediate types) once.
        Assert.Equal(ml.Resolved.Count, ml.Resolved.Select(r => r.Name).Distinct().Count());
        foreach (var p in properties) Assert.Contains(ml.Resolved, r => r.Member.Equals(p.GetValue(ml)));
        Assert.All(ml.Resolved, r => Assert.NotNull(r.Member));
        Assert.Same(MlNetInternals.Current, MlNetInternals.Current);
    }

    [Fact]
    public void TheResolvedMembersAreTheOnesTheBridgesNeed()
    {
        var ml = MlNetInternals.Current;
        var context = new MLContext(seed: 1);
        // A catalog is an IInternalCatalog whose environment is the context.
        Assert.True(ml.InternalCatalog.IsInstanceOfType(context.Transforms));
        var environment = (IHostEnvironment)ml.CatalogEnvironmentGetter.Invoke(context.MulticlassClassification.Trainers, null)!;
        Assert.Same(context.ComponentCatalog, environment.ComponentCatalog);
        // The context's environment is cancelable, and not cancelled.
        Assert.True(ml.Cancelable.IsInstanceOfType(environment));
        Assert.False((bool)ml.IsCanceledInvoker.Invoke(environment)!);
        // A mapping view's source is its input.
        var data = context.Data.LoadFromEnumerable(new[] { new Row { X = 1 } });
        var mapped = context.Transforms.CopyColumns("Y", nameof(Row.X)).Fit(data).Transform(data);
        Assert.True(ml.DataTransform.IsInstanceOfType(mapped));
        Assert.Same(data, ml.DataTransformSourceGetter.Invoke(mapped, null));
        // SchemaShape.Create gives the schema's columns.
        var shape = (SchemaShape)ml.SchemaShapeCreate.Invoke(null, new object[] { mapped.Schema })!;
        Assert.Equal(new[] { "X", "Y" }, shape.Select(c => c.Name));
        Assert.Equal(typeof(ModelSaveContext).Assembly, ml.VersionInfo.Assembly);
    }

    private sealed class Row
    {
        public float X { get; set; }
    }

    [Theory]
    [InlineData("Reader", "field Microsoft.ML.ModelLoadContext.Reader of type BinaryReader")]
    [InlineData("Microsoft.ML.Runtime.ICancelable", "type Microsoft.ML.Runtime.ICancelable")]
    [InlineData("Create", "method Microsoft.ML.SchemaShape.Create(DataViewSchema) returning SchemaShape")]
    [InlineData("LoadableClassInfo", "type Microsoft.ML.Runtime.ComponentCatalog.LoadableClassInfo")]
    [InlineData("Environment", "property Microsoft.ML.Data.IInternalCatalog.Environment of type IHostEnvironment")]
    public void AMissingMember_GivesOneMessageNamingItAndTheVersion(string missing, string named)
    {
        var e = Assert.Throws<InvalidOperationException>(() => new MlNetInternals(name => name == missing ? name + "_Renamed" : name));
        Assert.Contains(named, e.Message);
        string version = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        Assert.StartsWith("5.", version);
        Assert.Contains($"Microsoft.ML {version} ", e.Message);
        Assert.Contains(MlNetInternals.SupportedRange, e.Message);
    }
}
