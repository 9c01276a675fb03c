using System.Globalization;

namespace LlmFineTune.Cli;

/// <summary>
/// Checks the paths a command reads and writes before any work starts, so a typo costs a second rather than a
/// finished training run. Each failure is an <see cref="ArgumentException"/> that names the flag and the path.
/// </summary>
internal static class PathChecks
{
    /// <summary>Slack on top of a size estimate: metadata, the tokenizer files and the estimate's own error.</summary>
    private const long Slack = 1 << 20;

    /// <summary>An input file: present, a file rather than a directory, and not a dangling or looping link.</summary>
    public static void InputFile(string flag, string path)
    {
        if (Directory.Exists(path))
            throw new ArgumentException($"{flag} {path}: is a directory; give a file.");
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            FileSystemInfo? target;
            try
            {
                target = info.ResolveLinkTarget(returnFinalTarget: true);
            }
            catch (IOException e)
            {
                throw new ArgumentException($"{flag} {path}: the symbolic link cannot be followed ({e.Message.Split(" : ")[0].TrimEnd('.')}).");
            }
            if (target is not { Exists: true })
                throw new ArgumentException($"{flag} {path}: the symbolic link points to {info.LinkTarget}, which does not exist.");
        }
        if (!File.Exists(path))
            throw new ArgumentException($"{flag} {path}: file not found.");
    }

    /// <summary>A directory the command will create or fill: not a file, writable, and (when known) with room for <paramref name="bytes"/>.</summary>
    public static void OutputDirectory(string flag, string path, long bytes = 0)
    {
        if (File.Exists(path))
            throw new ArgumentException($"{flag} {path}: is a file, but a directory is written here. Give a new or existing directory.");
        string existing = NearestExisting(flag, path);
        RequireWritable(flag, path, existing);
        RequireSpace(flag, path, existing, bytes);
    }

    /// <summary>A file the command will write: not a directory, in a writable directory.</summary>
    public static void OutputFile(string flag, string path)
    {
        if (Directory.Exists(path))
            throw new ArgumentException($"{flag} {path}: is a directory, but a file is written here. Give a file name, e.g. {Path.Combine(path, "report.json")}.");
        string parent = Path.GetDirectoryName(Path.GetFullPath(path))!;
        RequireWritable(flag, path, NearestExisting(flag, parent));
    }

    /// <summary>Fails unless the volume holding <paramref name="existing"/> has room for <paramref name="bytes"/> more.</summary>
    public static void RequireSpace(string flag, string path, string existing, long bytes)
    {
        if (bytes <= 0) return;
        long available = new DriveInfo(existing).AvailableFreeSpace;
        if (available < bytes + Slack)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{flag} {path}: the model needs about {Megabytes(bytes + Slack)} but the disk has {Megabytes(available)} free. Free some space or write elsewhere."));
    }

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e6:0.#} MB");

    /// <summary>The path itself if it exists, else its nearest existing ancestor (which must be a directory).</summary>
    private static string NearestExisting(string flag, string path)
    {
        string? current = Path.GetFullPath(path);
        while (current is not null && !Directory.Exists(current))
        {
            if (File.Exists(current))
                throw new ArgumentException($"{flag} {path}: {current} is a file, so nothing can be created under it.");
            current = Path.GetDirectoryName(current);
        }
        return current ?? throw new ArgumentException($"{flag} {path}: no part of the path exists.");
    }

    /// <summary>Creates and deletes a probe file: the only test that also holds for root, read-only mounts and ACLs.</summary>
    private static void RequireWritable(string flag, string path, string existing)
    {
        string probe = Path.Combine(existing, $".llmft-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{flag} {path}: cannot write in {existing} ({e.Message.Split(" : ")[0].TrimEnd('.')}).");
        }
    }
}
