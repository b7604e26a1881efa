using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// Helpers for <see cref="SchemaShape"/>, whose column constructor is internal in ML.NET 5.0.x (reached through
/// <see cref="MlNetInternals"/>).
/// </summary>
internal static class SchemaShapes
{
    /// <summary>The shape of <paramref name="schema"/> (ML.NET's <c>SchemaShape.Create</c>, internal in 5.0.x).</summary>
    public static SchemaShape Of(DataViewSchema schema) =>
        (SchemaShape)MlNetInternals.Current.SchemaShapeCreate.Invoke(null, new object[] { schema })!;

    /// <summary>Builds a schema-shape column.</summary>
    public static SchemaShape.Column Column(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey,
        SchemaShape? annotations = null)
        => (SchemaShape.Column)MlNetInternals.Current.SchemaColumnConstructor.Invoke(new object?[] { name, kind, itemType, isKey, annotations });

    /// <summary>A scalar text annotation's shape (for <c>ScoreColumnKind</c> and the like).</summary>
    public static SchemaShape.Column TextAnnotation(string name) =>
        Column(name, SchemaShape.Column.VectorKind.Scalar, TextDataViewType.Instance, false);

    /// <summary>A text vector annotation's shape (for <c>SlotNames</c>).</summary>
    public static SchemaShape.Column TextVectorAnnotation(string name) =>
        Column(name, SchemaShape.Column.VectorKind.Vector, TextDataViewType.Instance, false);

    /// <summary>The last column named <paramref name="name"/> (the visible one), or null.</summary>
    public static SchemaShape.Column? Find(SchemaShape shape, string name)
    {
        SchemaShape.Column? found = null;
        foreach (var c in shape) if (c.Name == name) found = c;
        return found;
    }

    /// <summary>The shape with <paramref name="added"/> appended, replacing earlier columns of the same names.</summary>
    public static SchemaShape With(SchemaShape shape, params SchemaShape.Column[] added)
    {
        var names = new HashSet<string>(added.Select(c => c.Name));
        return new SchemaShape(shape.Where(c => !names.Contains(c.Name)).Concat(added));
    }
}
