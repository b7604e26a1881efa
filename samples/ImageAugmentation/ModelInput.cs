using Microsoft.ML.Data;

namespace ImageAugmentation;

/// <summary>One image, by file path.</summary>
public sealed class ModelInput
{
    public string ImagePath { get; set; } = "";
}

/// <summary>The pixels the pipeline hands to a model: 32×32×3, planar, 0–255.</summary>
public sealed class ModelOutput
{
    [VectorType(3 * 32 * 32)]
    public float[] Pixels { get; set; } = Array.Empty<float>();
}
