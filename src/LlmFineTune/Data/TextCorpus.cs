using System.Text;

namespace LlmFineTune.Data;

/// <summary>An <see cref="ITextCorpus"/> over plain UTF-8 files, read line by line so memory stays flat whatever the file size.</summary>
/// <remarks>
/// A pipe or FIFO (<c>&lt;(zcat corpus.gz)</c>, <c>mkfifo</c>) can be read only once, so the first <see cref="Read"/> copies
/// it into memory and every read, resumes included, reads that copy: memory then grows with the piped data.
/// </remarks>
public sealed class TextCorpus : ITextCorpus
{
    private readonly string[] files;
    private readonly TextCorpusOptions options;
    private readonly MemoryStream?[] piped;

    private TextCorpus(string[] files, TextCorpusOptions options)
    {
        this.files = files;
        this.options = options;
        piped = new MemoryStream?[files.Length];
    }

    /// <summary>The files, in reading order.</summary>
    public IReadOnlyList<string> Files => files;

    /// <summary>A corpus of one file.</summary>
    /// <param name="path">The file (UTF-8).</param>
    /// <param name="options">Separator and encoding policy; defaults when null.</param>
    /// <returns>The corpus; nothing is read until it is enumerated.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist, or the path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static TextCorpus FromFile(string path, TextCorpusOptions? options = null) => FromFiles([path], options);

    /// <summary>A corpus of several files read one after the other.</summary>
    /// <param name="paths">The files (UTF-8), in order.</param>
    /// <param name="options">Separator and encoding policy; defaults when null.</param>
    /// <returns>The corpus; nothing is read until it is enumerated.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist, or a path is a directory or a broken symbolic link (the message says which).</exception>
    /// <exception cref="ArgumentException">No file is given.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static TextCorpus FromFiles(IEnumerable<string> paths, TextCorpusOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var list = paths.ToArray();
        if (list.Length == 0)
            throw new ArgumentException("Give at least one corpus file.", nameof(paths));
        foreach (string path in list)
            DataFilePath.RequireFile(path, "corpus file");
        options ??= new TextCorpusOptions();
        options.Validate();
        return new TextCorpus(list, options);
    }

    /// <summary>A corpus over texts in memory (for example a labeled dataset's texts, for in-domain pretraining).</summary>
    /// <param name="texts">The documents; blank ones are left out.</param>
    /// <returns>The corpus; its positions count documents only.</returns>
    public static ITextCorpus FromTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return new InMemoryCorpus(texts.Where(t => !string.IsNullOrWhiteSpace(t)).ToArray());
    }

    /// <inheritdoc />
    public IEnumerable<CorpusDocument> Read(CorpusPosition from = default)
    {
        if ((uint)from.File > (uint)files.Length || from.ByteOffset < 0 || from.Line < 0 || from.Document < 0)
            throw new ArgumentOutOfRangeException(nameof(from), from, $"Not a position in this corpus of {files.Length} file(s).");
        return ReadFrom(from);
    }

    private IEnumerable<CorpusDocument> ReadFrom(CorpusPosition from)
    {
        long document = from.Document;
        var text = new StringBuilder();
        for (int file = from.File; file < files.Length; file++)
        {
            bool resuming = file == from.File;
            using var lines = new Utf8LineReader(Open(file), files[file], resuming ? from.ByteOffset : 0, resuming ? from.Line : 0);
            long startLine = 0;
            text.Clear();
            while (true)
            {
                bool more = lines.TryReadLine(out string line);
                bool blank = !more || string.IsNullOrWhiteSpace(line);
                if (!blank)
                {
                    if (lines.LastLineInvalid && options.Encoding == TextEncodingPolicy.Strict)
                        throw DataFileError.Create(files[file], lines.LineNumber, SkipReason.InvalidEncoding,
                            "the bytes are not valid UTF-8. Convert the file to UTF-8, or set Encoding = TextEncodingPolicy.Replace.");
                    if (text.Length == 0) startLine = lines.LineNumber;
                    else text.Append('\n');
                    text.Append(line);
                    if (text.Length > options.MaxDocumentChars)
                        throw DataFileError.Create(files[file], startLine, SkipReason.Malformed,
                            $"the document is longer than MaxDocumentChars ({options.MaxDocumentChars:N0}). If the file has one document per line, set Separator = DocumentSeparator.Line; otherwise separate documents with blank lines or raise the limit.");
                }
                // a document ends at a blank line (or every line in Line mode) and at the end of the file
                if (text.Length > 0 && (blank || options.Separator == DocumentSeparator.Line))
                {
                    document++;
                    var next = new CorpusPosition(file, lines.NextOffset, lines.LineNumber, document);
                    yield return new CorpusDocument(text.ToString(), $"{files[file]}:{startLine}", next);
                    text.Clear();
                }
                if (!more) break;
            }
        }
    }

    // A regular file streams from disk; a pipe is copied into memory on first use, since it cannot be read twice.
    private Stream Open(int file)
    {
        lock (piped)
        {
            if (piped[file] is null)
            {
                var stream = DataFilePath.Open(files[file], "corpus file");
                if (stream.CanSeek) return stream;
                using (stream)
                {
                    var copy = new MemoryStream();
                    try
                    {
                        stream.CopyTo(copy);
                    }
                    catch (IOException e) when (copy.Length > int.MaxValue / 2)
                    {
                        throw DataFileError.Create(files[file], 0, SkipReason.Malformed, $"the pipe holds more than 1 GB (it is kept in memory, since a pipe can be read only once). Save the data to a file and pass the file.", e);
                    }
                    piped[file] = copy;
                }
            }
            var data = piped[file]!;
            return new MemoryStream(data.GetBuffer(), 0, (int)data.Length, writable: false);
        }
    }
}
