namespace LlmFineTune.Data;

/// <summary>
/// Unlabeled text for pretraining, streamed from disk one document at a time (a corpus is never
/// loaded whole), and resumable at an exact document.
/// </summary>
/// <remarks>
/// A training loop keeps the <see cref="CorpusDocument.Next"/> of the last document it used and,
/// after a restart, calls <see cref="Read"/> with it. An epoch is one pass from
/// <see cref="CorpusPosition.Start"/> to the end.
/// </remarks>
public interface ITextCorpus
{
    /// <summary>Streams the documents from <paramref name="from"/> to the end of the corpus.</summary>
    /// <param name="from">Where to start; <see cref="CorpusPosition.Start"/> (the default) for the beginning.</param>
    /// <returns>The documents in order; each enumeration reopens the files, so enumerate once per pass.</returns>
    /// <exception cref="InvalidDataException">A document is invalid (bad UTF-8, too long); the message names file:line and the fix.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="from"/> is not a position in this corpus.</exception>
    IEnumerable<CorpusDocument> Read(CorpusPosition from = default);
}
