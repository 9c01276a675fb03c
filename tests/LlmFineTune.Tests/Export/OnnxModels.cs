using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tests.Training;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Export;

/// <summary>Small untrained classifiers of every backbone family, head and pooling, and real texts to score.</summary>
internal static class OnnxModels
{
    /// <summary>A WordPiece vocabulary of 400 learned from real texts once (tokenizers are immutable, so every model may share it).</summary>
    private static readonly Lazy<WordPieceTokenizer> WordPiece = new(() => new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = 400 }).Train(RealTexts(40)));

    public static readonly TaskKind[] Heads = [TaskKind.SingleLabel, TaskKind.MultiLabel, TaskKind.Regression];

    /// <summary>
    /// Real texts (SpamAssassin test mails) cut to varied lengths, so that a batch pads: 3 to 60 words,
    /// some longer than the models' 48-token limit (truncation).
    /// </summary>
    public static IReadOnlyList<string> RealTexts(int count)
    {
        string path = SharedData.Require("labeled/spamassassin.test.tsv", "spamassassin");
        return File.ReadLines(path).Take(count).Select((line, i) =>
        {
            string[] words = line.Split('\t', 2)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(' ', words.Take(3 + i * 7 % 58));
        }).ToList();
    }

    /// <summary>
    /// A classifier of one family ("bag", "bert-tiny", "gpt2-tiny"), head and pooling. The head's weights are
    /// scaled up so that its scores are far from uniform: an untrained head's near-zero logits would make any
    /// probability comparison pass.
    /// </summary>
    public static TextClassifier Create(string backbone, TaskKind kind, PoolingMode pooling, int hiddenSize = 0, bool usePooler = true)
    {
        manual_seed(11);
        ITokenizer tokenizer = backbone == "bag" ? new HashingTokenizer(new HashingTokenizerOptions { Buckets = 4096 }) : WordPiece.Value;
        IBackbone body = backbone == "bag" ? new BagOfNgrams(tokenizer.VocabularySize, 16) : ModelPresets.Get(backbone).Create(tokenizer, positions: 48);
        if (body is BertBackbone encoder) encoder.UsePooler = usePooler;
        var labels = kind switch
        {
            TaskKind.MultiLabel => TinyModels.MultiLabel(6, 1).LabelMap,
            TaskKind.Regression => TinyModels.Regression(6, 1).LabelMap,
            _ => TinyModels.SingleLabel(2, 1).LabelMap,
        };
        var options = new HeadOptions { Pooling = pooling, HiddenSize = hiddenSize };
        TaskHead head = kind switch
        {
            TaskKind.MultiLabel => new MultiLabelHead(body.HiddenSize, labels.Count, options),
            TaskKind.Regression => new RegressionHead(body.HiddenSize, options),
            _ => new SingleLabelHead(body.HiddenSize, labels.Count, options),
        };
        if (body is CausalDecoder) head.RemoveOutputBias();
        using (no_grad())
            foreach (var (name, parameter) in head.named_parameters())
                parameter.mul_(backbone == "bag" ? 40 : 4);
        return new TextClassifier(tokenizer, body, head, labels, maxLength: 48);
    }

    /// <summary>Every (family, pooling, pooler, hidden layer) the exporter must handle; the bag has only its own pooling.</summary>
    public static IEnumerable<(string Backbone, PoolingMode Pooling, bool UsePooler, int HiddenSize)> Variants()
    {
        yield return ("bag", PoolingMode.Backbone, true, 0);
        yield return ("bag", PoolingMode.Backbone, true, 8);
        foreach (string family in (string[])["bert-tiny", "gpt2-tiny"])
            foreach (var pooling in Enum.GetValues<PoolingMode>())
                yield return (family, pooling, true, pooling == PoolingMode.Mean ? 8 : 0);
        yield return ("bert-tiny", PoolingMode.Backbone, false, 0);
    }
}
