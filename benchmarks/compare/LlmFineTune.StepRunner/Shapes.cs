using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
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

/// <summary>
/// The shapes by name. To add the transformer shapes once a backbone exists: implement
/// <see cref="IStepShape"/> (encoder: TextClassifier(backbone, SingleLabelHead(256, 4)), batch 32 × 128,
/// ids in [1000, 30522) with [CLS]=101 first; mlm: the pretraining task with 614 masked positions
/// of 32 × 128, decoder tied to the token embedding) and replace its <see cref="PendingShape"/> here.
/// </summary>
internal static class Shapes
{
    public static readonly IReadOnlyDictionary<string, IStepShape> All = new Dictionary<string, IStepShape>(StringComparer.Ordinal)
    {
        ["bag"] = new BagShape("bag", vocabulary: 50_000, dimension: 64, batch: 64, length: 60, defaults: (30, 300)),
        ["tiny"] = new BagShape("tiny", vocabulary: 1_000, dimension: 16, batch: 8, length: 10, defaults: (200, 2000)),
        ["encoder"] = new PendingShape("encoder", "a BERT-mini TransformerEncoder backbone (4 post-LN layers, 256 wide, 4 heads, ff 1024, GELU, dropout 0.1) with [CLS] pooling"),
        ["mlm"] = new PendingShape("mlm", "the same TransformerEncoder plus the MLM pretraining objective with a decoder tied to the token embedding"),
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
internal sealed class BagShape(string name, int vocabulary, int dimension, int batch, int length, (int, int) defaults) : IStepShape
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
        var classifier = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, dimension), new SingleLabelHead(dimension, Classes), labels, maxLength: length);

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
        return new ShapeInstance(task, new Owner(classifier, batches), classifier, texts);
    }

    private sealed class Owner(TextClassifier classifier, List<Batch> batches) : IDisposable
    {
        public void Dispose()
        {
            foreach (var b in batches) b.Dispose();
            classifier.Dispose();
        }
    }
}

/// <summary>A shape whose model the library does not have yet; says what is missing.</summary>
internal sealed class PendingShape(string name, string needs) : IStepShape
{
    public string Name => name;

    public (int Warmup, int Steps) Defaults => (3, 12);

    public long ExamplesPerStep => 32;

    public long TokensPerStep => 32 * 128;

    public ShapeInstance Create(int seed) =>
        throw new NotSupportedException($"--model {name} needs {needs}, which this build of LlmFineTune does not contain yet. Wire it in Shapes.cs.");
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
