using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// The classifiers the inference benchmarks time, at 128 tokens per text (weights are random: speed does not depend on them).
/// bag: HashingTokenizer (words + bigrams, 262,144 buckets) + BagOfNgrams(64) + 4 classes.
/// bert-mini: bert-base-uncased WordPiece + BertBackbone 4 layers / 256 wide / 4 heads + 4 classes.
/// </summary>
internal static class InferenceModels
{
    public const int Tokens = 128;

    private static readonly LabelMap Labels = new(["a", "b", "c", "d"]);

    public static TextClassifier Create(string name)
    {
        BenchmarkTorch.Initialize();
        switch (name)
        {
            case "bag":
                var hashing = new HashingTokenizer();
                return new TextClassifier(hashing, new BagOfNgrams(hashing.VocabularySize, 64), new SingleLabelHead(64, Labels.Count), Labels, Tokens);
            case "bert-mini":
                var wordPiece = WordPieceTokenizer.FromVocabulary(BenchmarkData.Require("vocab/bert-base-uncased/vocab.txt", "tokenizer_vocabs"));
                var config = BertBackboneConfig.Preset("bert-mini", wordPiece.VocabularySize);
                return new TextClassifier(wordPiece, new BertBackbone(config), new SingleLabelHead(config.HiddenSize, Labels.Count), Labels, Tokens);
            default:
                throw new ArgumentException($"Unknown model '{name}'. Known: bag, bert-mini.", nameof(name));
        }
    }

    /// <summary>Real texts of at least 128 words (consecutive debian package descriptions joined), cut to 128 tokens by the classifier.</summary>
    public static string[] Texts(int count)
    {
        var (documents, _) = BenchmarkData.DebianDescriptions(4_000_000);
        var texts = new List<string>(count);
        var words = new List<string>();
        foreach (string document in documents)
        {
            words.AddRange(document.Split((char[])[' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries));
            if (words.Count < Tokens) continue;
            texts.Add(string.Join(' ', words));
            words.Clear();
            if (texts.Count == count) return [.. texts];
        }
        throw new InvalidOperationException($"The first 4 MB of the corpus make only {texts.Count} texts of {Tokens}+ words; {count} needed.");
    }
}
