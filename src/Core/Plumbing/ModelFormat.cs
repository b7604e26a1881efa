namespace MlNetExtensions.Plumbing;

/// <summary>
/// Identifies one component's entry in an ML.NET model file: the 8-character model signature written
/// in the entry's header, the format version, and the loader signature under which the component's
/// loader is registered in a <see cref="Microsoft.ML.Runtime.ComponentCatalog"/>.
/// </summary>
/// <param name="ModelSignature">Exactly 8 ASCII characters, unique to the component.</param>
/// <param name="Version">Format version written (a build that only knows older versions refuses the file).</param>
/// <param name="LoaderSignature">At most 24 Latin-1 characters, unique in the catalog.</param>
/// <param name="OldestReadableVersion">The oldest version this build still reads back (the component's reader tells the
/// versions apart). Default 0: only <paramref name="Version"/>.</param>
public sealed record ModelFormat(string ModelSignature, uint Version, string LoaderSignature, uint OldestReadableVersion = 0)
{
    /// <summary>The oldest version read back: <see cref="OldestReadableVersion"/>, or <see cref="Version"/> when that is 0.</summary>
    public uint ReadsBackFrom => OldestReadableVersion == 0 ? Version : OldestReadableVersion;

    /// <summary>Checks the signature lengths ML.NET imposes.</summary>
    /// <exception cref="ArgumentException">A signature has the wrong length.</exception>
    public void Validate()
    {
        if (ModelSignature.Length != 8)
            throw new ArgumentException($"Model signature '{ModelSignature}' must be exactly 8 characters.");
        if (LoaderSignature.Length is 0 or > 24)
            throw new ArgumentException($"Loader signature '{LoaderSignature}' must be 1 to 24 characters.");
        if (ReadsBackFrom > Version)
            throw new ArgumentException($"The oldest readable version 0x{OldestReadableVersion:X8} is newer than the version 0x{Version:X8}.");
    }
}
