namespace LlmFineTune.Data;

/// <summary>Checks and opens a path a user gave for a file, and says what the path names instead when it is no file.</summary>
internal static class DataFilePath
{
    /// <summary>Throws unless <paramref name="path"/> names something that can be a file (a regular file, a pipe, a FIFO, a symbolic link).</summary>
    /// <param name="path">The path.</param>
    /// <param name="what">What the file is for, e.g. "corpus file".</param>
    /// <exception cref="FileNotFoundException">Nothing is at the path, or a directory is; the message says which.</exception>
    public static void RequireFile(string path, string what = "file")
    {
        if (Directory.Exists(path))
            throw new FileNotFoundException($"{path}: is a directory, not a {what}. Pass the {what} inside it.", path);
        // File.Exists is also true for a symbolic link that leads nowhere; Open says what is wrong with it
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: {what} not found.", path);
    }

    /// <summary>Opens a file for one sequential pass; a pipe or FIFO opens as a stream that cannot seek.</summary>
    /// <param name="path">The path.</param>
    /// <param name="what">What the file is for, e.g. "corpus file".</param>
    /// <returns>The stream; the caller disposes it.</returns>
    /// <exception cref="FileNotFoundException">The path is missing, a directory, or a broken or looping symbolic link; the message says which.</exception>
    public static FileStream Open(string path, string what = "file")
    {
        RequireFile(path, what);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        }
        catch (IOException e) when (new FileInfo(path).LinkTarget is { } target)
        {
            // ELOOP (a loop) or ENOENT (a target that is gone); /dev/fd/N links such as <(command) open fine and never get here
            string problem = e is FileNotFoundException or DirectoryNotFoundException
                ? "whose target does not exist"
                : "that cannot be followed (it probably loops back on itself)";
            throw new FileNotFoundException($"{path}: is a symbolic link to '{target}' {problem}. Point it at the {what}, or pass the {what} itself.", path, e);
        }
    }
}
