using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.StepRunner;

/// <summary>A model shape the runner can train: the model, replayable batches and equivalent texts.</summary>
internal interface IStepShape
{
    string Name { get; }

    /// <summary>Warm-up and measured steps when the command line gives none (the peers' defaults).</summary>
    (int Warmup, int Steps) Defaults { get; }

    long ExamplesPerStep { get; }

    long TokensPerStep { get; }

    ShapeInstance Create(int seed);
}

/// <summary>
/// One built shape. <see cref="Task"/> replays pre-collated batches (the step alone);
/// <see cref="Classifier"/> and <see cref="Texts"/>, when present, run the user's path
/// (<c>Trainer.Train(TextClassifier, ITextDataset)</c>) on texts that collate to the same shape.
/// </summary>
internal sealed record ShapeInstance(ITrainingTask Task, IDisposable Owner, TextClassifier? Classifier, ITextDataset? Texts);

/// <summary>The shapes by name, as the peers' <c>pytorch_step.py</c> defines them.</summary>
internal static class Shapes
{
    public static readonly IReadOnlyDictionary<string, IStepShape> All = new Dictionary<string, IStepShape>(StringComparer.Ordinal)
    {
        ["bag"] = new BagShape("bag", vocabulary: 50_000, dimension: 64, batch: 64, length: 60, defaults: (30, 300)),
        // The same step with a dense table gradient (BagOfNgrams' sparseGradients: false), for A/B runs.
        ["bag-dense"] = new BagShape("bag-dense", vocabulary: 50_000, dimension: 64, batch: 64, length: 60, defaults: (30, 300), sparseGradients: false),
        ["tiny"] = new BagShape("tiny", vocabulary: 1_000, dimension: 16, batch: 8, length: 10, defaults: (200, 2000)),
        ["encoder"] = new EncoderShape(maskedLanguageModel: false),
        ["mlm"] = new EncoderShape(maskedLanguageModel: true),
    };

    public static IStepShape Get(string name) =>
        All.TryGetValue(name, out var shape)
            ? shape
            : throw new ArgumentException($"Unknown --model '{name}'. Known: {string.Join(", ", All.Keys)}.");
}

/// <summary>
/// EmbeddingBag(vocabulary, dimension, mean) + Linear(dimension, 4) through BagOfNgrams and
/// SingleLabelHead, batch × length ids per step, as the peers' <c>bag</c> and <c>tiny</c>.
/// </summary>
internal sealed class BagShape(string name, int vocabulary, int dimension, int batch, int length, (int, int) defaults, bool sparseGradients = true) : IStepShape
{
    private const int Classes = 4;
    private const int DistinctBatches = 4;

    public string Name => name;

    public (int Warmup, int Steps) Defaults => defaults;

    public long ExamplesPerStep => batch;

    public long TokensPerStep => (long)batch * length;

    public ShapeInstance Create(int seed)
    {
        manual_seed(seed);
        var labels = new LabelMap(Enumerable.Range(0, Classes).Select(c => $"class{c}"));
        // One word per token and no bigrams, so every text encodes to exactly `length` ids below `vocabulary`.
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = vocabulary - 1, WordNgrams = 1 });
        var classifier = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, dimension, sparseGradients), new SingleLabelHead(dimension, Classes), labels, maxLength: length);

        var batches = new List<Batch>();
        for (int i = 0; i < DistinctBatches; i++)
        {
            var ids = randint(1, vocabulary, [batch, length], dtype: int64);
            batches.Add(new Batch(ids, ones_like(ids), labels: randint(0, Classes, [batch], dtype: int64)).DetachFromDisposeScope());
        }

        var random = new Random(seed);
        var texts = TextDataset.FromExamples(Enumerable.Range(0, batch * DistinctBatches).Select(i =>
            TextExample.Labeled(string.Join(' ', Enumerable.Range(0, length).Select(_ => $"w{random.Next(vocabulary * 4)}")), labels[i % Classes])), labelMap: labels);

        var task = new ReplayTask(classifier.Network, batches,
            b => classifier.Head.Loss(classifier.Network.call(b.InputIds, b.AttentionMask), b));
        return new ShapeInstance(task, new ShapeOwner(classifier, batches), classifier, texts);
    }

}

/// <summary>
/// bert-mini (30,522 vocabulary, 4 post-LN layers, 256 wide, 4 heads, ff 1024, GELU, dropout 0.1),
/// batch 32 × 128 ids in [1000, 30522) with [CLS]=101 first: either fine-tuning with [CLS] pooling and
/// Linear(256, 4), or masked-LM pretraining (15 % masked, decoder tied to the token embedding).
/// </summary>
internal sealed class EncoderShape(bool maskedLanguageModel) : IStepShape
{
    private const int Vocabulary = 30_522, Batch = 32, Length = 128, Classes = 4, DistinctBatches = 4;

    public string Name => maskedLanguageModel ? "mlm" : "encoder";

    public (int Warmup, int Steps) Defaults => (3, 12);

    public long ExamplesPerStep => Batch;

    public long TokensPerStep => Batch * Length;

    public ShapeInstance Create(int seed)
    {
        manual_seed(seed);
        // bert-base-uncased's layout: [PAD]=0, [UNK]=100, [CLS]=101, [SEP]=102, [MASK]=103, then word pieces
        var tokens = Enumerable.Range(0, Vocabulary).Select(i => i switch { 0 => "[PAD]", 100 => "[UNK]", 101 => "[CLS]", 102 => "[SEP]", 103 => "[MASK]", _ => $"w{i}" });
        var tokenizer = WordPieceTokenizer.FromTokens(tokens);
        var encoder = new BertBackbone(BertBackboneConfig.Preset("bert-mini", Vocabulary)) { UsePooler = false };
        var random = new Random(seed);
        var sequences = Enumerable.Range(0, Batch * DistinctBatches)
            .Select(_ => Enumerable.Range(0, Length).Select(c => c == 0 ? 101 : random.Next(1000, Vocabulary)).ToArray()).ToList();
        var batches = new List<Batch>();
        if (maskedLanguageModel)
        {
            var mlm = new MaskedLanguageModel(encoder, tokenizer);
            for (int i = 0; i < DistinctBatches; i++)
                batches.Add(mlm.CreateBatch(sequences.GetRange(i * Batch, Batch), random).DetachFromDisposeScope());
            return new ShapeInstance(new ReplayTask(mlm, batches, mlm.Loss), new ShapeOwner(mlm, batches), null, null);
        }
        var labels = new LabelMap(Enumerable.Range(0, Classes).Select(c => $"class{c}"));
        var classifier = new TextClassifier(tokenizer, encoder, new SingleLabelHead(encoder.HiddenSize, Classes, new HeadOptions { Pooling = PoolingMode.Cls, Dropout = 0 }), labels, maxLength: Length);
        for (int i = 0; i < DistinctBatches; i++)
        {
            var ids = tensor(sequences.Skip(i * Batch).Take(Batch).SelectMany(s => s.Select(id => (long)id)).ToArray(), [Batch, Length]);
            batches.Add(new Batch(ids, ones_like(ids), labels: randint(0, Classes, [Batch], dtype: int64)).DetachFromDisposeScope());
        }
        var task = new ReplayTask(classifier.Network, batches, b => classifier.Head.Loss(classifier.Network.call(b.InputIds, b.AttentionMask), b));
        return new ShapeInstance(task, new ShapeOwner(classifier, batches), classifier, null);
    }

    /// <summary>Forward + backward matmul FLOPs of one step (backward = 2 × forward), as the peers count them.</summary>
    public double MatmulFlopsPerStep()
    {
        const double d = 256, ff = 1024, layers = 4, tokens = Batch * Length;
        double perLayer = 2 * tokens * (3 * d * d + d * d + 2 * d * ff) + 2 * 2 * Batch * Length * Length * d;
        double forward = layers * perLayer;
        double masked = Math.Round(tokens * 0.15);
        forward += maskedLanguageModel ? 2 * masked * d * d + 2 * masked * d * Vocabulary : 2 * Batch * d * Classes;
        return 3 * forward;
    }

}

/// <summary>
/// An <see cref="ITrainingTask"/> that replays pre-collated batches (fresh copies, since the trainer
/// disposes each batch after its step), so a step measures the model, loss, backward and optimizer only.
/// </summary>
internal sealed class ReplayTask(nn.Module module, IReadOnlyList<Batch> batches, Func<Batch, Tensor> loss) : ITrainingTask
{
    public nn.Module Module => module;

    /// <summary>Steps per epoch; the runner sets it to warm-up plus measured steps.</summary>
    public long StepsPerEpoch { get; set; } = 1;

    public long? BatchesPerEpoch => StepsPerEpoch;

    public IEnumerable<Batch> Batches(int epoch, int seed, long skip)
    {
        for (long i = skip; i < StepsPerEpoch; i++)
        {
            var b = batches[(int)(i % batches.Count)];
            yield return new Batch(b.InputIds.clone(), b.AttentionMask.clone(), b.Labels?.clone(), b.Targets?.clone()).DetachFromDisposeScope();
        }
    }

    public Tensor Loss(Batch batch) => loss(batch);
}

/// <summary>Disposes a shape's model and its replayed batches together.</summary>
internal sealed class ShapeOwner(IDisposable model, List<Batch> batches) : IDisposable
{
    public void Dispose()
    {
        foreach (var b in batches) b.Dispose();
        model.Dispose();
    }
}
