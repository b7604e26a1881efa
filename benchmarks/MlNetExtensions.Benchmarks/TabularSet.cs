using Microsoft.ML.Data;

namespace MlNetExtensions.Benchmarks;

/// <summary>
/// How to load one benchmark set with <c>TextLoader</c>: its files, the loader's columns (the label first) and which
/// of them are numeric, categorical or free text. Built by <see cref="TabularSuite"/>.
/// </summary>
internal sealed record TabularSet
{
    /// <summary>Short name, e.g. <c>pima2</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The task, which fixes the label type, the trainers and the metric.</summary>
    public required TabularTask Task { get; init; }

    /// <summary>True for the sets outside the 11 tabular ones (digits, breast_cancer, ...).</summary>
    public bool IsExtra { get; init; }

    /// <summary>Training file (<c>.csv</c> or <c>.csv.gz</c>).</summary>
    public required string TrainPath { get; init; }

    /// <summary>Test file (<c>.csv</c> or <c>.csv.gz</c>).</summary>
    public required string TestPath { get; init; }

    /// <summary>Whether the files start with a header row.</summary>
    public bool HasHeader { get; init; }

    /// <summary>The loader's columns: <c>Label</c>, then one column per feature (or a single vector column).</summary>
    public required TextLoader.Column[] Columns { get; init; }

    /// <summary>Names of the numeric (Single) feature columns, concatenated first.</summary>
    public required string[] Numeric { get; init; }

    /// <summary>Names of the categorical (String) columns, one-hot encoded and concatenated after the numeric ones.</summary>
    public string[] Categorical { get; init; } = [];

    /// <summary>Names of the free-text (String) columns, featurized with <c>FeaturizeText</c> and concatenated last.</summary>
    public string[] Text { get; init; } = [];
}
