namespace MlNetExtensions.Benchmarks;

/// <summary>Locates the repository root: the nearest directory above the working directory or the executable that holds <c>MlNetExtensions.sln</c>.</summary>
internal static class RepoRoot
{
    private const string Marker = "MlNetExtensions.sln";

    /// <summary>The repository root directory.</summary>
    /// <exception cref="DirectoryNotFoundException">No directory above the working directory or the executable holds the solution file.</exception>
    public static string Find()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, Marker)))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException($"{Marker} not found above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'.");
    }

    /// <summary>A path relative to the repository root, or <paramref name="path"/> itself when it is absolute.</summary>
    public static string Resolve(string path) => Path.IsPathRooted(path) ? path : Path.Combine(Find(), path);
}
