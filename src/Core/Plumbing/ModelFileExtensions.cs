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
}
