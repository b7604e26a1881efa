namespace MlNetExtensions.Plumbing;

/// <summary>
/// Writing a file so that its path only ever holds a whole file: the bytes go to a temporary file beside it
/// (<c>.{file name}.{process id}.{random}.tmp</c>), flushed to disk, which is then moved over the path. A process killed
/// while writing leaves its temporary file behind, never a torn file at the path; <see cref="RemoveLeftoverTemporaries"/>
/// deletes such leftovers (of processes no longer running, or older than a day).
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with <paramref name="write"/> (creating its folder when needed).</summary>
    /// <param name="path">Where the file goes.</param>
    /// <param name="write">Writes the file's bytes to the stream it is given (it must not close it).</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        RemoveLeftoverTemporaries(full);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Deletes the temporary files of earlier <see cref="Write"/> calls to <paramref name="fullPath"/> that died mid-write.</summary>
    /// <remarks>A temporary file of a process still running (a concurrent write) is left alone unless it is older than a day.</remarks>
    public static void RemoveLeftoverTemporaries(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath);
        if (dir is null || !Directory.Exists(dir)) return;
        string prefix = "." + Path.GetFileName(fullPath) + ".";
        foreach (var file in Directory.EnumerateFiles(dir, prefix + "*.tmp"))
        {
            // .{name}.{pid}.{32 hex digits}.tmp
            var middle = Path.GetFileName(file)[prefix.Length..^".tmp".Length].Split('.');
            if (middle.Length != 2 || middle[1].Length != 32 || !int.TryParse(middle[0], out int pid)) continue;
            try
            {
                bool old = DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > TimeSpan.FromDays(1);
                if (old || (pid != Environment.ProcessId && !IsRunning(pid))) File.Delete(file);
            }
            catch (IOException) { /* in use or already gone: the next write tries again */ }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; } // no such process
        catch (InvalidOperationException) { return false; }
    }
}
