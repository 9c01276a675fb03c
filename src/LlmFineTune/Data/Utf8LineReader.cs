using System.Text;
using System.Text.Unicode;

namespace LlmFineTune.Data;

/// <summary>
/// Reads a UTF-8 file line by line while tracking each line's byte offset and number, so a reader
/// can report file:line and resume exactly at a byte position. Never holds more than one line.
/// Works on pipes and FIFOs too (they cannot resume at an offset). Lines end at LF or CRLF; a file
/// whose first line break is a lone CR (old Mac style) is read with CR as its line break.
/// </summary>
internal sealed class Utf8LineReader : IDisposable
{
    private readonly Stream stream;
    private readonly int maxLineBytes;
    private byte[] buffer = new byte[1 << 16];
    private int start;
    private int end;
    private long bufferOffset; // file offset of buffer[0]
    private bool endOfFile;
    private byte lineBreak; // '\n' or '\r' once the first line break has been seen; 0 before

    /// <summary>Opens <paramref name="path"/> positioned at <paramref name="offset"/>, which must be a line start.</summary>
    /// <param name="path">The file.</param>
    /// <param name="offset">Byte offset of the first line to read.</param>
    /// <param name="linesBefore">How many lines precede <paramref name="offset"/> (for line numbers).</param>
    /// <param name="maxLineBytes">Longest allowed line.</param>
    public Utf8LineReader(string path, long offset = 0, long linesBefore = 0, int maxLineBytes = 256 << 20)
        : this(DataFilePath.Open(path), path, offset, linesBefore, maxLineBytes)
    {
    }

    /// <summary>Reads <paramref name="stream"/> (which this reader disposes), naming it <paramref name="path"/> in messages.</summary>
    /// <param name="stream">The bytes; it must be seekable when <paramref name="offset"/> is not 0.</param>
    /// <param name="path">The file the bytes come from.</param>
    /// <param name="offset">Byte offset of the first line to read.</param>
    /// <param name="linesBefore">How many lines precede <paramref name="offset"/> (for line numbers).</param>
    /// <param name="maxLineBytes">Longest allowed line.</param>
    public Utf8LineReader(Stream stream, string path, long offset = 0, long linesBefore = 0, int maxLineBytes = 256 << 20)
    {
        Path = path;
        this.maxLineBytes = maxLineBytes;
        this.stream = stream;
        if (offset != 0)
        {
            if (!stream.CanSeek)
            {
                stream.Dispose();
                throw new NotSupportedException($"{path} is a pipe or FIFO, which cannot resume at byte {offset:N0}. Save the data to a regular file.");
            }
            if (offset > stream.Length)
            {
                long length = stream.Length;
                stream.Dispose();
                throw new ArgumentOutOfRangeException(nameof(offset), offset, $"{path} has only {length} bytes; the position is past its end. Was the file replaced?");
            }
            stream.Position = offset;
        }
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

    /// <summary>Reads the next line without its line break.</summary>
    /// <param name="line">The line.</param>
    /// <returns>False at the end of the file.</returns>
    /// <exception cref="InvalidDataException">The line is longer than the limit, or the file is UTF-16 or binary.</exception>
    public bool TryReadLine(out string line)
    {
        if (lineBreak == 0) DetectLineBreak();
        int scanned = start;
        while (true)
        {
            int found = buffer.AsSpan(scanned, end - scanned).IndexOf(lineBreak);
            if (found >= 0)
            {
                int lineEnd = scanned + found;
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

    // The first line break decides: a lone CR (and no LF in the first buffer) means CR-only endings; LF or CRLF (or none) means LF.
    private void DetectLineBreak()
    {
        while (true)
        {
            var pending = buffer.AsSpan(start, end - start);
            int i = pending.IndexOfAny((byte)'\n', (byte)'\r');
            if (i >= 0 && (pending[i] == (byte)'\n' || i + 1 < pending.Length))
            {
                // a stray CR in an LF file is text: CR-only files hold no LF at all
                bool loneCr = pending[i] == (byte)'\r' && pending[i + 1] != (byte)'\n' && !pending.Contains((byte)'\n');
                lineBreak = loneCr ? (byte)'\r' : (byte)'\n';
                return;
            }
            if (endOfFile || pending.Length > maxLineBytes)
            {
                lineBreak = i >= 0 ? (byte)'\r' : (byte)'\n';
                return;
            }
            Fill();
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
        if (lineBreak == (byte)'\r' && bytes.Length > 0 && bytes[0] == (byte)'\n') bytes = bytes[1..]; // a CRLF in a CR file
        if (bytes.Length > 0 && bytes[^1] == (byte)'\r') bytes = bytes[..^1];
        if (lineStart == 0)
        {
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
            else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
                throw DataFileError.Create(Path, 1, SkipReason.InvalidEncoding,
                    "the file is UTF-16 (it starts with a UTF-16 byte order mark), not UTF-8. Save it as UTF-8, for example with: iconv -f UTF-16 -t UTF-8.");
        }
        // NUL never occurs in text; every other line of a UTF-16 file without a byte order mark (and any binary file) has one
        if (bytes.IndexOf((byte)0) is >= 0 and var nul)
            throw DataFileError.Create(Path, LineNumber + 1, SkipReason.InvalidEncoding,
                $"byte {nul + 1} of the line is NUL, which text never holds: the file is probably UTF-16 or binary, not UTF-8 text. Save it as UTF-8, or check that this is the file you meant.");
        LastLineInvalid = !Utf8.IsValid(bytes);
        string text = Encoding.UTF8.GetString(bytes);
        LineNumber++;
        start = next;
        NextOffset = bufferOffset + next;
        return text;
    }

    public void Dispose() => stream.Dispose();
}
