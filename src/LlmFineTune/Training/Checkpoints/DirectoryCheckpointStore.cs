using System.Globalization;

namespace LlmFineTune.Training.Checkpoints;

/// <summary>
/// Keeps checkpoints as <c>checkpoint-00000120</c> directories under a root directory. Each is written
/// into a temporary sibling, flushed to disk and then renamed into place, so a crash leaves either the
/// complete new checkpoint or none; only the newest <see cref="KeepLast"/> are kept.
/// </summary>
public sealed class DirectoryCheckpointStore : ICheckpointStore
{
    private const string Prefix = "checkpoint-";

    /// <summary>Creates the store; no I/O happens until the first save.</summary>
    /// <param name="root">The directory that holds the checkpoints.</param>
    /// <param name="keepLast">How many of the newest checkpoints to keep. Default 3.</param>
    /// <exception cref="ArgumentException"><paramref name="root"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="keepLast"/> is below 1.</exception>
    public DirectoryCheckpointStore(string root, int keepLast = 3)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepLast, 1);
        Root = Path.GetFullPath(root);
        KeepLast = keepLast;
    }

    /// <summary>The directory that holds the checkpoints.</summary>
    public string Root { get; }

    /// <summary>How many of the newest checkpoints are kept.</summary>
    public int KeepLast { get; }

    /// <inheritdoc />
    public string Save(int step, Action<string> write)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentNullException.ThrowIfNull(write);
        Directory.CreateDirectory(Root);
        string final = Path.Combine(Root, Prefix + step.ToString("D8", CultureInfo.InvariantCulture));
        string temporary = Path.Combine(Root, "." + Path.GetFileName(final) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        string? displaced = null;
        try
        {
            Directory.CreateDirectory(temporary);
            write(temporary);
            AtomicDirectory.FlushToDisk(temporary);
            if (Directory.Exists(final))
            {
                // The same step saved twice (say, periodically and then on cancel): move the old copy aside first.
                displaced = temporary + ".old";
                Directory.Move(final, displaced);
            }
            Directory.Move(temporary, final);
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
        if (displaced is not null) Directory.Delete(displaced, recursive: true);
        foreach (var (_, stale) in Checkpoints().Skip(KeepLast))
            Directory.Delete(stale, recursive: true);
        return final;
    }

    /// <inheritdoc />
    public string? Latest() => Checkpoints().Select(c => c.Path).FirstOrDefault();

    /// <summary>Complete checkpoints, newest first; temporary directories are never listed.</summary>
    private IEnumerable<(int Step, string Path)> Checkpoints()
    {
        if (!Directory.Exists(Root)) return [];
        return Directory.EnumerateDirectories(Root, Prefix + "*")
            .Select(path => (Ok: int.TryParse(Path.GetFileName(path).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int step), Step: step, Path: path))
            .Where(c => c.Ok)
            .OrderByDescending(c => c.Step)
            .Select(c => (c.Step, c.Path))
            .ToList();
    }
}
