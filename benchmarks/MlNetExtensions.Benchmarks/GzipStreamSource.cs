using System.IO.Compression;
using Microsoft.ML.Data;

namespace MlNetExtensions.Benchmarks;

/// <summary>An <see cref="IMultiStreamSource"/> over one gzip-compressed text file, so that <c>TextLoader</c> reads <c>.csv.gz</c> files directly.</summary>
internal sealed class GzipStreamSource : IMultiStreamSource
{
    private readonly string _path;

    /// <summary>A source over the gzip file at <paramref name="path"/>.</summary>
    public GzipStreamSource(string path) => _path = path;

    /// <inheritdoc/>
    public int Count => 1;

    /// <inheritdoc/>
    public string GetPathOrNull(int index) => _path;

    /// <inheritdoc/>
    public Stream Open(int index) => new GZipStream(File.OpenRead(_path), CompressionMode.Decompress);

    /// <inheritdoc/>
    public TextReader OpenTextReader(int index) => new StreamReader(Open(index));
}
