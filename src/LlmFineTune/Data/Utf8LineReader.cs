using System.Text;
using System.Text.Unicode;

namespace LlmFineTune.Data;

/// <summary>
/// Reads a UTF-8 file line by line while tracking each line's byte offset and number, so a reader
/// can report file:line and resume exactly at a byte position. Never holds more than one line.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private readonly FileStream stream;
    private readonly int maxLineBytes;
    private byte[] buffer = new byte[1 << 16];
    private int start;
    private int end;
    private long bufferOffset; // file offset of buffer[0]
    private bool endOfFile;

    /// <summary>Opens <paramref name="path"/> positioned at <paramref name="offset"/>, which must be a line start.</summary>
    /// <param name="path">The file.</param>
    /// <param name="offset">Byte offset of the first line to read.</param>
    /// <param name="linesBefore">How many lines precede <paramref name="offset"/> (for line numbers).</param>
    /// <param name="maxLineBytes">Longest allowed line.</param>
    public Utf8LineReader(string path, long offset = 0, long linesBefore = 0, int maxLineBytes = 256 << 20)
    {
        Path = path;
        this.maxLineBytes = maxLineBytes;
        stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        if (offset > stream.Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{path} has only {stream.Length} bytes; the position is past its end. Was the file replaced?");
        stream.Position = offset;
        bufferOffset = offset;
        NextOffset = offset;
        LineNumber = linesBefore;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The 1-based number of the line last read.</summary>
    public long LineNumber { get; private set; }

    /// <summary>The byte offset just past the line last read (its line break included): where the next line starts.</summary>
    public long NextOffset { get; private set; }

    /// <summary>Whether the line last read had invalid UTF-8 (it was decoded with U+FFFD replacements).</summary>
    public bool LastLineInvalid { get; private set; }

    /// <summary>The total length of the file in bytes.</summary>
    public long Length => stream.Length;

    /// <summary>Reads the next line without its line break.</summary>
    /// <param name="line">The line.</param>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="InvalidDataException">The line is longer than the limit.</exception>
    public bool TryReadLine(out string line)
    {
        int scanned = start;
        while (true)
        {
            int newline = buffer.AsSpan(scanned, end - scanned).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                int lineEnd = scanned + newline;
                if (lineEnd - start > maxLineBytes) throw TooLong();
                line = Take(lineEnd, lineEnd + 1);
                return true;
            }
            scanned = end;
            if (endOfFile)
            {
                if (start == end)
                {
                    line = "";
                    return false;
                }
                if (end - start > maxLineBytes) throw TooLong();
                line = Take(end, end);
                return true;
            }
            if (end - start > maxLineBytes) throw TooLong();
            // Fill moves the unread bytes to the front of the buffer, so keep the scan position relative
            int alreadyScanned = scanned - start;
            Fill();
            scanned = start + alreadyScanned;
        }
    }

    private InvalidDataException TooLong() =>
        DataFileError.Create(Path, LineNumber + 1, SkipReason.Malformed,
            $"the line is longer than {maxLineBytes:N0} bytes. Split the text into shorter lines, or raise MaxRecordBytes.");

    private void Fill()
    {
        if (start > 0)
        {
            buffer.AsSpan(start, end - start).CopyTo(buffer);
            bufferOffset += start;
            end -= start;
            start = 0;
        }
        if (end == buffer.Length)
            Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
        int read = stream.Read(buffer, end, buffer.Length - end);
        if (read == 0) endOfFile = true;
        end += read;
    }

    private string Take(int contentEnd, int next)
    {
        long lineStart = bufferOffset + start;
        var bytes = buffer.AsSpan(start, contentEnd - start);
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        if (lineStart == 0 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        LastLineInvalid = !Utf8.IsValid(bytes);
        string text = Encoding.UTF8.GetString(bytes);
        LineNumber++;
        start = next;
        NextOffset = bufferOffset + next;
        return text;
    }

    public void Dispose() => stream.Dispose();
}
