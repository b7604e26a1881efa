namespace MlNetExtensions.Plumbing;

/// <summary>
/// Identifies one component's entry in an ML.NET model file: the 8-character model signature written
/// in the entry's header, the format version, and the loader signature under which the component's
/// loader is registered in a <see cref="Microsoft.ML.Runtime.ComponentCatalog"/>.
/// </summary>
/// <param name="ModelSignature">Exactly 8 ASCII characters, unique to the component.</param>
/// <param name="Version">Format version written and the only one this build reads back.</param>
/// <param name="LoaderSignature">At most 24 Latin-1 characters, unique in the catalog.</param>
public sealed record ModelFormat(string ModelSignature, uint Version, string LoaderSignature)
{
    /// <summary>Checks the signature lengths ML.NET imposes.</summary>
    /// <exception cref="ArgumentException">A signature has the wrong length.</exception>
    public void Validate()
    {
        if (ModelSignature.Length != 8)
            throw new ArgumentException($"Model signature '{ModelSignature}' must be exactly 8 characters.");
        if (LoaderSignature.Length is 0 or > 24)
            throw new ArgumentException($"Loader signature '{LoaderSignature}' must be 1 to 24 characters.");
    }
}
