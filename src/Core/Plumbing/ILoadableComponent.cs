using Microsoft.ML.Runtime;

namespace MlNetExtensions.Plumbing;

/// <summary>
/// A component that ML.NET can load back from a model file. Implementations are found by
/// <see cref="MlNetExtensionsRegistration.RegisterMlNetExtensions"/> and registered with ML.NET under
/// <see cref="Format"/>'s loader signature.
/// </summary>
internal interface ILoadableComponent<TSelf> where TSelf : ILoadableComponent<TSelf>
{
    /// <summary>The signatures and version of this component's model entry.</summary>
    static abstract ModelFormat Format { get; }

    /// <summary>Rebuilds the component from the payload written by its save method.</summary>
    static abstract TSelf Load(IHostEnvironment environment, BinaryReader reader);
}

/// <summary>The static method ML.NET calls to load an <see cref="ILoadableComponent{TSelf}"/>.</summary>
internal static class ComponentLoader<T> where T : ILoadableComponent<T>
{
    /// <summary>Signature expected by ML.NET's <c>SignatureLoadModel</c>: (environment, ModelLoadContext).</summary>
    public static T Create(IHostEnvironment environment, object context)
    {
        var entry = ModelIO.BeginLoad(context, T.Format, typeof(T).Assembly);
        var reader = PayloadChecksum.Open(entry, T.Format.LoaderSignature, out bool framed); // ML.NET owns the entry's reader
        try
        {
            var component = T.Load(environment, reader);
            if (framed) PayloadChecksum.CheckFullyRead(reader, T.Format.LoaderSignature);
            return component;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or OverflowException)
        {
            throw new FormatException(
                $"The model entry of {typeof(T).Name} ('{T.Format.LoaderSignature}') is truncated or corrupted: {e.Message}", e);
        }
    }
}
