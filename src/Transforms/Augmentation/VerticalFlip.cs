using MlNetExtensions.Randomness;
using MlNetExtensions.Transforms.Kernels;

namespace MlNetExtensions;

/// <summary>
/// Mirrors the image top ↔ bottom. Not part of any default: upside-down photographs are rare, and a vertical flip
/// changes the meaning of many symbols (6 ↔ 9, M ↔ W, p ↔ b); add it only where the label is invariant to it
/// (aerial or microscope images, for instance).
/// </summary>
public sealed class VerticalFlip : AugmentationOperation
{
    internal const byte TagValue = 2;
    internal override byte Tag => TagValue;
    internal override void Apply(PixelBuffer image, ref RandomStream random) => GeometryKernels.FlipVertical(image);
    internal override void WriteParameters(BinaryWriter writer) { }
}
