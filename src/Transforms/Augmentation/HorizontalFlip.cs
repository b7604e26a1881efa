using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Mirrors the image left ↔ right. Beware that a flip can change what an image means: a mirrored "b" is a "d", a
/// mirrored "2" is no digit; use flips only where the label is invariant to them (most natural photographs).
/// </summary>
public sealed class HorizontalFlip : AugmentationOperation
{
    internal const byte TagValue = 1;
    internal override byte Tag => TagValue;
    internal override void Apply(PixelBuffer image, ref RandomStream random) => GeometryKernels.FlipHorizontal(image);
    internal override void WriteParameters(BinaryWriter writer) { }
}
