namespace LlmFineTune.Data;

/// <summary>
/// A resumable place in an <see cref="ITextCorpus"/>: the document about to be read. Save
/// <see cref="CorpusDocument.Next"/> of the last document a training step consumed; passing it to
/// <see cref="ITextCorpus.Read"/> continues with exactly the following document.
/// </summary>
/// <param name="File">Index of the corpus file (0-based).</param>
/// <param name="ByteOffset">Byte offset of the next line to read in that file.</param>
/// <param name="Line">Lines of that file before <paramref name="ByteOffset"/> (keeps error messages' line numbers right after a resume).</param>
/// <param name="Document">Documents read before this position, over all files.</param>
public readonly record struct CorpusPosition(int File, long ByteOffset, long Line, long Document)
{
    /// <summary>The start of the corpus.</summary>
    public static CorpusPosition Start => default;
}
