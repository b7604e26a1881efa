using System.IO.Compression;
using Microsoft.ML;

namespace MlNetExtensions;

/// <summary>Safe model-file writing.</summary>
public static class ModelFileExtensions
{
    /// <summary>
    /// Saves <paramref name="model"/> like <c>mlContext.Model.Save</c>, but atomically: the zip is written to a
    /// temporary file beside <paramref name="filePath"/> and moved over it only once complete, so a crash or a
    /// full disk never leaves a half-written model where a good one was.
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
        var full = Path.GetFullPath(filePath);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                catalog.Save(model, inputSchema, stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Loads a model like <c>mlContext.Model.Load</c>, after registering the MlNetExtensions loaders, and turns the
    /// failures a deployed application meets into one clear <see cref="FormatException"/> naming the file: not a model
    /// zip, truncated or corrupted, or written by a newer version of a component.
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
        try
        {
            using var zip = ZipFile.OpenRead(filePath);
            if (zip.Entries.Count == 0) throw new InvalidDataException("the archive is empty");
        }
        catch (InvalidDataException e)
        {
            throw new FormatException($"The model file '{filePath}' is not a model zip, or it is truncated: {e.Message}", e);
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
