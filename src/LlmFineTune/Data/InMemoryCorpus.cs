namespace LlmFineTune.Data;

/// <summary>An <see cref="ITextCorpus"/> over texts already in memory; a position is just the document index.</summary>
internal sealed class InMemoryCorpus(string[] texts) : ITextCorpus
{
    public IEnumerable<CorpusDocument> Read(CorpusPosition from = default)
    {
        if (from.File != 0 || from.ByteOffset != 0 || from.Line != 0 || (ulong)from.Document > (ulong)texts.Length)
            throw new ArgumentOutOfRangeException(nameof(from), from, $"Not a position in this in-memory corpus of {texts.Length} texts (only Document is used).");
        return ReadFrom((int)from.Document);
    }

    private IEnumerable<CorpusDocument> ReadFrom(int first)
    {
        for (int i = first; i < texts.Length; i++)
            yield return new CorpusDocument(texts[i], $"text {i}", new CorpusPosition(0, 0, 0, i + 1));
    }
}
