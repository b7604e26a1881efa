using System.IO.Compression;
using Microsoft.ML;

namespace MlNetExtensions;

/// <summary>Safe model-file writing.</summary>
public static class ModelFileExtensions
{
    /// <summary>
    /// Saves <paramref name="model"/> like <c>mlContext.Model.Save</c>, but atomically: the zip is written to a
    /// temporary file beside <paramref name="filePath"/> (<c>.{file name}.{process id}.{random}.tmp</c>) and moved over it
    /// only once complete, so a crash or a full disk never leaves a half-written model where a good one was. A process
    /// killed while saving leaves its temporary file behind; the next <c>SaveAtomic</c> to the same path, and
    /// <see cref="LoadChecked"/> of it, delete such leftovers: those of processes no longer running, and any older than
    /// a day. A concurrent save's temporary file (its process still running) is left alone.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="model">The trained model.</param>
    /// <param name="inputSchema">The schema of the data the model expects (may be null, as in ML.NET).</param>
    /// <param name="filePath">Where the model is written.</param>
    public static void SaveAtomic(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        Plumbing.AtomicFile.Write(filePath, stream => catalog.Save(model, inputSchema, stream));
    }

    /// <summary>
    /// Loads a model like <c>mlContext.Model.Load</c>, after registering the MlNetExtensions loaders, and turns the
    /// failures a deployed application meets into one clear <see cref="FormatException"/> naming the file: not a model
    /// zip, truncated or corrupted, or written by a newer version of a component. Before loading, every zip entry is read
    /// and its CRC-32 checked (ML.NET does not); every MlNetExtensions component also checks its own payload's CRC-32.
    /// </summary>
    /// <param name="catalog"><c>mlContext.Model</c>.</param>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The schema the model was saved with.</param>
    /// <returns>The loaded model.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="FormatException">The file cannot be read as a model; the message says why.</exception>
    public static ITransformer LoadChecked(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(filePath);
        if (!File.Exists(filePath)) throw new FileNotFoundException($"The model file '{filePath}' does not exist.", filePath);
        Plumbing.AtomicFile.RemoveLeftoverTemporaries(Path.GetFullPath(filePath));
        string? badEntry = null;
        try
        {
            using var zip = ZipFile.OpenRead(filePath);
            if (zip.Entries.Count == 0) throw new InvalidDataException("the archive is empty");
            // Neither .NET's zip reader nor ML.NET checks the entries' CRC-32: a flipped byte in the compressed data
            // would otherwise load and predict differently.
            var buffer = new byte[1 << 16];
            foreach (var entry in zip.Entries)
            {
                badEntry = entry.FullName;
                var crc = new System.IO.Hashing.Crc32();
                using (var stream = entry.Open())
                {
                    int n;
                    while ((n = stream.Read(buffer, 0, buffer.Length)) > 0) crc.Append(buffer.AsSpan(0, n));
                }
                uint actual = crc.GetCurrentHashAsUInt32();
                if (actual != entry.Crc32)
                    throw new InvalidDataException($"the entry '{entry.FullName}' is corrupted (its CRC-32 is {actual:X8}, the archive says {entry.Crc32:X8})");
            }
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw new FormatException($"The model file '{filePath}' is not a model zip, or it is truncated or corrupted" +
                (badEntry is null ? "" : $" (entry '{badEntry}')") + $": {e.Message}", e);
        }
        // The catalog's environment is ML.NET's internal LocalEnvironment, not the MLContext: register through the
        // environment's own (public) component catalog, the one Load reads.
        Plumbing.CatalogEnvironment.Of(catalog).ComponentCatalog.RegisterMlNetExtensions();
        try
        {
            return catalog.Load(filePath, out inputSchema);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidDataException or EndOfStreamException
                                      or System.Reflection.TargetInvocationException)
        {
            var details = new List<string>();
            for (var x = e; x is not null; x = x.InnerException) details.Add(x.Message);
            throw new FormatException(
                $"The model file '{filePath}' could not be loaded: it is truncated or corrupted, or one of its components was written " +
                $"by a newer version than this program has. Details: {string.Join(" | ", details.Distinct())}", e);
        }
    }
}
