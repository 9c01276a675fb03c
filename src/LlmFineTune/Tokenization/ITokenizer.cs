namespace LlmFineTune.Tokenization;

/// <summary>Turns text into token ids for a model. Implementations are immutable and thread-safe.</summary>
public interface ITokenizer
{
    /// <summary>The number of distinct ids, including special tokens; the embedding table's row count.</summary>
    int VocabularySize { get; }

    /// <summary>The id used to pad a batch to equal length.</summary>
    int PadId { get; }

    /// <summary>The special tokens' ids.</summary>
    SpecialTokens Special { get; }

    /// <summary>
    /// Whether the token continues the word of the token before it (WordPiece's <c>##</c> pieces),
    /// so that whole-word masking can mask a word's pieces together.
    /// </summary>
    /// <param name="id">A token id.</param>
    /// <returns>True for a word-internal piece.</returns>
    bool IsContinuation(int id);

    /// <summary>Encodes a text, adding the tokenizer's special tokens.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxLength">Most ids to return (special tokens included), or 0 for no limit.</param>
    /// <returns>At least one id; each in [0, <see cref="VocabularySize"/>).</returns>
    int[] Encode(string text, int maxLength = 0);

    /// <summary>Writes the files needed to rebuild this tokenizer into a model directory.</summary>
    /// <param name="directory">An existing directory.</param>
    void Save(string directory);
}
