using LlmFineTune.Tokenization;
using Microsoft.ML.Tokenizers;

namespace LlmFineTune.Benchmarks.MlmTransfer;

/// <summary>
/// STAND-IN until the library's WordPiece tokenizer lands (data area): an <see cref="ITokenizer"/>
/// over Microsoft.ML.Tokenizers' BertTokenizer and a standard vocab.txt. Switch by replacing
/// <c>StandInWordPieceTokenizer.FromVocabulary(path)</c> with the library's WordPiece loader.
/// </summary>
internal sealed class StandInWordPieceTokenizer : ITokenizer
{
    private readonly BertTokenizer bert;
    private readonly string[] vocabulary;
    private readonly string vocabularyPath;

    private StandInWordPieceTokenizer(string vocabularyPath)
    {
        this.vocabularyPath = vocabularyPath;
        vocabulary = File.ReadAllLines(vocabularyPath);
        bert = BertTokenizer.Create(vocabularyPath, new BertOptions { LowerCaseBeforeTokenization = true });
        Special = new SpecialTokens(bert.PaddingTokenId, bert.UnknownTokenId, bert.ClassificationTokenId, bert.SeparatorTokenId, bert.MaskingTokenId);
    }

    public static StandInWordPieceTokenizer FromVocabulary(string path) => new(path);

    public int VocabularySize => vocabulary.Length;

    public int PadId => Special.Pad;

    public SpecialTokens Special { get; }

    public IReadOnlyList<string> Vocabulary => vocabulary;

    public bool IsContinuation(int id) => vocabulary[id].StartsWith("##", StringComparison.Ordinal);

    public int[] Encode(string text, int maxLength = 0)
    {
        var ids = bert.EncodeToIds(text, addSpecialTokens: true, considerPreTokenization: true, considerNormalization: true);
        if (maxLength <= 0 || ids.Count <= maxLength) return [.. ids];
        return [.. ids.Take(maxLength - 1), Special.Separator!.Value];
    }

    public void Save(string directory) => File.Copy(vocabularyPath, Path.Combine(directory, "vocab.txt"), overwrite: true);
}
