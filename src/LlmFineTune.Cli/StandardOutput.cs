using System.Text;
using Microsoft.Win32.SafeHandles;

namespace LlmFineTune.Cli;

/// <summary>
/// Standard output that notices when its reader has gone. .NET's console stream ignores a broken pipe (EPIPE), so
/// <c>yes text | llmft predict ... | head -1</c> would go on scoring for nobody; written through this stream, the first
/// write after the reader left throws <see cref="OutputClosedException"/>, and the command ends quietly with exit code 141
/// (128 + SIGPIPE: what a Unix tool killed by SIGPIPE reports, so a <c>set -o pipefail</c> script sees the same as with <c>seq</c>).
/// </summary>
internal sealed class StandardOutput(Stream inner) : Stream
{
    private const int BrokenPipe = 32; // EPIPE on Linux and macOS

    /// <summary>A synchronized, auto-flushing UTF-8 writer on file descriptor 1, as Console.Out is; Console.Out itself on Windows or when descriptor 1 cannot be opened.</summary>
    public static TextWriter Open()
    {
        if (OperatingSystem.IsWindows()) return Console.Out;
        try
        {
            var descriptor = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
            return TextWriter.Synchronized(new StreamWriter(new StandardOutput(descriptor), new UTF8Encoding(false)) { AutoFlush = true });
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return Console.Out;
        }
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (IOException e) when (e.HResult == BrokenPipe)
        {
            throw new OutputClosedException(e);
        }
    }

    public override void Flush() => inner.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
