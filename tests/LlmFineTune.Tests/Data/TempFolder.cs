using System.Runtime.InteropServices;
using System.Text;

namespace LlmFineTune.Tests.Data;

/// <summary>A temporary folder the data tests write their files into; deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    private readonly List<(string Path, Task Writer)> fifos = [];

    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llmft-data-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes UTF-8 text (no BOM) and returns the file's path.</summary>
    public string Write(string name, string content) => WriteBytes(name, new UTF8Encoding(false).GetBytes(content));

    public string WriteBytes(string name, byte[] content)
    {
        string path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Makes a FIFO (a named pipe, what <c>&lt;(command)</c> also gives) that one reader can read <paramref name="content"/> from, once.</summary>
    /// <remarks>Inconclusive where there is no mkfifo (Windows).</remarks>
    public string WriteFifo(string name, string content)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            Assert.Inconclusive("FIFOs need a Unix system.");
        string path = System.IO.Path.Combine(Path, name);
        if (MakeFifo(path, Convert.ToUInt32("600", 8)) != 0)
            Assert.Inconclusive($"mkfifo failed (errno {Marshal.GetLastPInvokeError()}).");
        byte[] bytes = new UTF8Encoding(false).GetBytes(content);
        // opening a FIFO for writing waits for its reader
        fifos.Add((path, Task.Run(() =>
        {
            using var writer = new FileStream(path, FileMode.Open, FileAccess.Write);
            writer.Write(bytes);
        })));
        return path;
    }

    public void Dispose()
    {
        // a writer still waiting for its reader (the test failed before reading) is released by reading the FIFO here
        foreach (var (path, writer) in fifos)
        {
            if (writer.IsCompleted) continue;
            using (var reader = new FileStream(path, FileMode.Open, FileAccess.Read)) reader.CopyTo(Stream.Null);
            writer.Wait(TimeSpan.FromSeconds(5));
        }
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a test's open handle; the OS temp cleaner gets it */ }
    }

    [DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
