using System.Globalization;
using System.Runtime.InteropServices;

namespace LlmFineTune;

/// <summary>
/// Replaces a whole directory at once, so that a reader sees the old contents or the new ones, never
/// a mix, whatever happens to the writer (SIGKILL, a full disk) and however many writers there are.
/// </summary>
/// <remarks>
/// The new contents are built in a temporary sibling (<c>.NAME.xxxxxxxx.tmp</c>), flushed to disk, and
/// swapped in: on Linux with one <c>renameat2(RENAME_EXCHANGE)</c>; elsewhere by renaming the old
/// directory aside (<c>.NAME.xxxxxxxx.old</c>) and the new one in. Writers take turns through an
/// advisory lock on <c>.NAME.lock</c> (released by the kernel when a writer dies). Whatever a killed
/// writer leaves behind is cleaned up by the next writer, and by a reader that finds the directory
/// missing while an old copy waits aside (the old copy is put back).
/// </remarks>
internal static class AtomicDirectory
{
    private const string StagingSuffix = ".tmp";
    private const string AsideSuffix = ".old";
    private const string LibC = "libc.so.6";
    private const int AtCurrentDirectory = -100;
    private const uint RenameExchange = 2;
    private const int ErrorInvalidArgument = 22;
    private const int ErrorNotImplemented = 38;
    private const int ErrorNotSupported = 95;

    /// <summary>How often a waiting writer or reader looks again.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a reader waits for a writer that is between its two renames (microseconds, normally).</summary>
    private static readonly TimeSpan SwapWait = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Builds the new contents through <paramref name="fill"/> (which gets the empty temporary directory)
    /// and swaps them in for <paramref name="directory"/>, created if missing.
    /// </summary>
    /// <param name="directory">The directory to replace; a symbolic link is followed to the directory it names.</param>
    /// <param name="fill">Writes the new contents into the directory it is given.</param>
    /// <param name="carryOver">Which entries of the old directory (its path, an entry's name) that <paramref name="fill"/> did not write are copied into the new one; none when null.</param>
    /// <exception cref="IOException">Writing failed (a full disk, say); the old directory is unchanged and the temporary one removed.</exception>
    public static void Replace(string directory, Action<string> fill, Func<string, string, bool>? carryOver = null)
    {
        string target = Resolve(directory);
        string parent = Path.GetDirectoryName(target)!;
        string name = Path.GetFileName(target);
        Directory.CreateDirectory(parent);
        using var turn = Lock(parent, name, wait: true)!;
        Recover(parent, name);
        string staging = Sibling(parent, name, StagingSuffix);
        try
        {
            Directory.CreateDirectory(staging);
            fill(staging);
            if (carryOver is not null && Directory.Exists(target))
                CarryOver(target, staging, carryOver);
            FlushToDisk(staging);
            SwapIn(staging, target, parent, name);
        }
        finally
        {
            // After an exchange this is the old directory; after a failure, the half-built new one.
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>
    /// Called by readers before they read <paramref name="directory"/>: when it is missing because a writer
    /// died between its two renames, puts the old copy back; when a live writer is between them, waits.
    /// </summary>
    public static void AwaitSwap(string directory)
    {
        string target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        string? parent = Path.GetDirectoryName(target);
        string name = Path.GetFileName(target);
        if (parent is null || name.Length == 0) return;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!Directory.Exists(target) && Leftovers(parent, name, AsideSuffix).Any() && waited.Elapsed < SwapWait)
        {
            FileStream? turn;
            try
            {
                turn = Lock(parent, name, wait: false);
            }
            catch (UnauthorizedAccessException)
            {
                return; // a reader without write access cannot repair; it reports the missing directory
            }
            if (turn is null)
            {
                Thread.Sleep(Poll);
                continue;
            }
            using (turn)
                Recover(parent, name);
        }
    }

    /// <summary>The directory to replace: absolute, without a trailing separator, symbolic links followed.</summary>
    private static string Resolve(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var info = new DirectoryInfo(full);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is DirectoryInfo linked)
            full = Path.TrimEndingDirectorySeparator(linked.FullName);
        if (Path.GetFileName(full).Length == 0)
            throw new ArgumentException($"{directory}: a file-system root cannot be replaced; name a directory inside it.", nameof(directory));
        if (File.Exists(full))
            throw new IOException($"{directory} is a file; a model is saved as a directory. Choose a directory path.");
        string current = Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory) + Path.DirectorySeparatorChar;
        if (current.StartsWith(full + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new IOException($"{directory} is or holds the current directory, which saving would replace as a whole. Save into another directory.");
        return full;
    }

    /// <summary>Takes the writers' lock; null when <paramref name="wait"/> is false and another writer holds it.</summary>
    private static FileStream? Lock(string parent, string name, bool wait)
    {
        string path = Path.Combine(parent, "." + name + ".lock");
        while (true)
        {
            try
            {
                // FileShare.None takes flock(LOCK_EX) on Unix: exclusive between processes and between threads.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException e) when (e.HResult is SharingViolation or WouldBlockLinux or WouldBlockMac)
            {
                if (!wait) return null;
                Thread.Sleep(Poll);
            }
        }
    }

    /// <summary>The lock is held: ERROR_SHARING_VIOLATION on Windows; on Unix, .NET reports flock's EWOULDBLOCK errno as the HResult.</summary>
    private const int SharingViolation = unchecked((int)0x80070020);
    private const int WouldBlockLinux = 11;
    private const int WouldBlockMac = 35;

    /// <summary>Under the lock: puts back an old copy a killed writer left aside, and removes every other leftover.</summary>
    private static void Recover(string parent, string name)
    {
        string target = Path.Combine(parent, name);
        if (!Directory.Exists(target))
        {
            string? newest = Leftovers(parent, name, AsideSuffix).OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault();
            if (newest is not null) Directory.Move(newest, target);
        }
        foreach (string leftover in Leftovers(parent, name, StagingSuffix).Concat(Leftovers(parent, name, AsideSuffix)).ToList())
            Directory.Delete(leftover, recursive: true);
    }

    private static IEnumerable<string> Leftovers(string parent, string name, string suffix)
    {
        if (!Directory.Exists(parent)) return [];
        string prefix = "." + name + ".";
        // The pattern only narrows the listing; the exact shape (8 hex digits) is checked here, since a name may hold '*' or '?'.
        return Directory.EnumerateDirectories(parent, prefix + "*" + suffix).Where(path =>
        {
            string file = Path.GetFileName(path);
            return file.Length == prefix.Length + 8 + suffix.Length && file.StartsWith(prefix, StringComparison.Ordinal) && file.EndsWith(suffix, StringComparison.Ordinal)
                && int.TryParse(file.AsSpan(prefix.Length, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _);
        });
    }

    private static string Sibling(string parent, string name, string suffix) =>
        Path.Combine(parent, "." + name + "." + Guid.NewGuid().ToString("N")[..8] + suffix);

    private static void SwapIn(string staging, string target, string parent, string name)
    {
        if (!Directory.Exists(target))
        {
            Directory.Move(staging, target);
            return;
        }
        if (Exchange(staging, target)) return;
        string aside = Sibling(parent, name, AsideSuffix);
        Directory.Move(target, aside);
        Directory.Move(staging, target);
        Directory.Delete(aside, recursive: true);
    }

    /// <summary>Swaps two directories in one step (Linux 3.15+); false where the system or file system cannot.</summary>
    private static bool Exchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            if (renameat2(AtCurrentDirectory, a, AtCurrentDirectory, b, RenameExchange) == 0) return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc 2.28+
        }
        int error = Marshal.GetLastPInvokeError();
        if (error is ErrorInvalidArgument or ErrorNotImplemented or ErrorNotSupported) return false;
        throw new IOException($"{b}: could not swap in the new contents from {a} ({Marshal.GetPInvokeErrorMessage(error)}).");
    }

    private static void CarryOver(string old, string staging, Func<string, string, bool> carryOver)
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(old))
        {
            string name = Path.GetFileName(entry);
            string copy = Path.Combine(staging, name);
            if (Path.Exists(copy) || !carryOver(old, name)) continue;
            if (Directory.Exists(entry)) CopyDirectory(entry, copy);
            else File.Copy(entry, copy);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.EnumerateFiles(from))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string sub in Directory.EnumerateDirectories(from))
            CopyDirectory(sub, Path.Combine(to, Path.GetFileName(sub)));
    }

    /// <summary>Flushes every file to disk before the rename makes them visible, so a power cut cannot publish empty files.</summary>
    internal static void FlushToDisk(string directory)
    {
        foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            stream.Flush(flushToDisk: true);
        }
    }

    [DllImport(LibC, EntryPoint = "renameat2", SetLastError = true)]
    private static extern int renameat2(int oldDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldPath, int newDirectory, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath, uint flags);
}
