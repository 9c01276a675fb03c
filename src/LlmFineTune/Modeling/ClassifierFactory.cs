using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling;

/// <summary>
/// Builds a classifier ready for fine-tuning on a training set, by backbone name: from scratch (a
/// hashing tokenizer for <c>bag</c>; a WordPiece vocabulary trained on the training texts for
/// transformer presets) or from a pretrained or fine-tuned model directory.
/// </summary>
public static class ClassifierFactory
{
    /// <summary>The bag-of-n-grams backbone's name.</summary>
    public const string Bag = "bag";

    private const int BagMaxLength = 256;
    private const int EncoderMaxLength = 128;

    /// <summary>The backbone names <see cref="Create"/> accepts: <c>bag</c> and the transformer presets.</summary>
    public static IReadOnlyList<string> BackboneNames { get; } = [Bag, .. TransformerEncoderConfig.PresetNames];

    /// <summary>Builds an untrained classifier for a training set.</summary>
    /// <param name="train">The training set: its texts train the WordPiece vocabulary (transformer backbones), its labels size the head.</param>
    /// <param name="options">Backbone, head and sizes; defaults when null.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown (the message lists the known ones) or a size is invalid.</exception>
    public static TextClassifier Create(ITextDataset train, ClassifierFactoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new ClassifierFactoryOptions();
        string backbone = RequireKnown(options.Backbone ?? Bag);
        TaskKind head = options.Head ?? train.Kind;
        Runtime.TorchRuntime.EnsureAvailable();
        random.manual_seed(options.Seed);
        if (backbone == Bag)
        {
            var hashing = new HashingTokenizer(new HashingTokenizerOptions { Buckets = options.BagBuckets });
            var bag = new BagOfNgrams(hashing.VocabularySize, options.BagDimension);
            return Assemble(hashing, bag, head, train.LabelMap, options.MaxLength ?? BagMaxLength);
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.VocabularySize, 16, nameof(options.VocabularySize));
        var tokenizer = new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = options.VocabularySize }).Train(train.Select(e => e.Text));
        int maxLength = options.MaxLength ?? EncoderMaxLength;
        var config = TransformerEncoderConfig.Preset(backbone, tokenizer.VocabularySize);
        config.MaxPositionEmbeddings = maxLength;
        config.PadTokenId = tokenizer.PadId;
        return Assemble(tokenizer, new TransformerEncoder(config), head, train.LabelMap, maxLength);
    }

    /// <summary>Builds a classifier that continues from a model directory: a pretrained encoder gets a fresh head; a fine-tuned classifier with the same labels and head kind keeps its head.</summary>
    /// <param name="directory">A directory written by <see cref="TextClassifier.Save"/> or <see cref="ModelDirectory.SaveMaskedLanguageModel"/> (or a Hugging Face BERT checkpoint).</param>
    /// <param name="train">The training set (its labels size a fresh head).</param>
    /// <param name="options">Head and length; <see cref="ClassifierFactoryOptions.Backbone"/>, when set, must match the directory's backbone. Defaults when null.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="ArgumentException">The backbone option conflicts with the directory's backbone.</exception>
    /// <exception cref="InvalidDataException">A file in the directory is missing or malformed.</exception>
    public static TextClassifier FromPretrained(string directory, ITextDataset train, ClassifierFactoryOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new ClassifierFactoryOptions();
        string implied = BackboneOf(directory);
        if (options.Backbone is { } asked && !string.Equals(asked, implied, StringComparison.Ordinal))
            throw new ArgumentException($"Backbone '{asked}' conflicts with {directory}, which holds a {implied} model; leave the backbone out or pass {implied}.", nameof(options));
        TaskKind head = options.Head ?? train.Kind;
        Runtime.TorchRuntime.EnsureAvailable();
        random.manual_seed(options.Seed);

        var json = JsonFiles.ReadObject(Path.Combine(directory, ModelDirectory.ConfigFileName));
        if (json["id2label"] is JsonObject)
        {
            var saved = TextClassifier.Load(directory, Tokenizers.Load);
            bool sameTask = saved.Head.Kind == head && saved.Labels.SequenceEqual(train.LabelMap, StringComparer.Ordinal);
            if (sameTask && (options.MaxLength is null || options.MaxLength == saved.MaxLength))
                return saved;
            if (implied == Bag)
            {
                // A bag backbone has no loader of its own: copy the saved one's weights into a fresh bag under a new head.
                using (saved)
                {
                    var old = (BagOfNgrams)saved.Backbone;
                    var bag = new BagOfNgrams(old.VocabularySize, old.HiddenSize);
                    using (no_grad())
                        foreach (var (target, source) in bag.parameters().Zip(old.parameters()))
                            target.copy_(source);
                    return Assemble(saved.Tokenizer, bag, head, train.LabelMap, options.MaxLength ?? saved.MaxLength);
                }
            }
            saved.Dispose();
        }
        var tokenizer = Tokenizers.Load(directory);
        var encoder = ModelDirectory.LoadEncoder(directory);
        int maxLength = Math.Min(options.MaxLength ?? EncoderMaxLength, encoder.Config.MaxPositionEmbeddings);
        return Assemble(tokenizer, encoder, head, train.LabelMap, maxLength);
    }

    /// <summary>Training settings that work for a backbone out of the box: a high learning rate for <c>bag</c>, a lower one for transformers (lower still when pretrained).</summary>
    /// <param name="backbone">One of <see cref="BackboneNames"/> (or <c>bert</c> for an encoder of another size).</param>
    /// <param name="pretrained">Whether the backbone continues from pretrained weights.</param>
    /// <returns>New options; change what you like.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown.</exception>
    public static TrainerOptions RecommendedTrainerOptions(string backbone, bool pretrained)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        if (backbone != TransformerEncoder.KindName) RequireKnown(backbone);
        return backbone == Bag
            ? new TrainerOptions { Epochs = 10, LearningRate = 0.05, BatchSize = 16 }
            : new TrainerOptions { Epochs = pretrained ? 6 : 10, LearningRate = pretrained ? 3e-4 : 5e-4, BatchSize = 16, MaxGradientNorm = 1.0 };
    }

    /// <summary>The backbone name of a model directory: <c>bag</c>, a transformer preset name, or <c>bert</c> for an encoder of another size.</summary>
    /// <param name="directory">A model directory.</param>
    /// <returns>The name.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException"><c>config.json</c> is missing or malformed.</exception>
    public static string BackboneOf(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: model directory not found. Pass a directory written by 'pretrain', 'finetune' or TextClassifier.Save.");
        string path = Path.Combine(directory, ModelDirectory.ConfigFileName);
        var json = JsonFiles.ReadObject(path);
        if (json["llmfinetune"]?["backbone"] is JsonValue kind && kind.TryGetValue(out string? name) && name == Bag)
            return Bag;
        var config = ModelDirectory.ReadEncoderConfig(directory);
        foreach (string preset in TransformerEncoderConfig.PresetNames)
        {
            var p = TransformerEncoderConfig.Preset(preset, config.VocabSize);
            if (p.HiddenSize == config.HiddenSize && p.NumHiddenLayers == config.NumHiddenLayers && p.NumAttentionHeads == config.NumAttentionHeads && p.IntermediateSize == config.IntermediateSize)
                return preset;
        }
        return TransformerEncoder.KindName;
    }

    private static string RequireKnown(string backbone) =>
        BackboneNames.Contains(backbone, StringComparer.Ordinal)
            ? backbone
            : throw new ArgumentException($"Unknown backbone '{backbone}'. Known: {string.Join(", ", BackboneNames)}.", nameof(backbone));

    private static TextClassifier Assemble(ITokenizer tokenizer, IBackbone backbone, TaskKind head, LabelMap labels, int maxLength)
    {
        try
        {
            // Masked-LM pretraining never trains [CLS] or BERT's pooler, so an encoder pools the mean of its token states.
            var options = backbone is TransformerEncoder ? new HeadOptions { Pooling = PoolingMode.Mean } : null;
            ITaskHead taskHead = head switch
            {
                TaskKind.MultiLabel => new MultiLabelHead(backbone.HiddenSize, labels.Count, options),
                TaskKind.Regression => new RegressionHead(backbone.HiddenSize, options),
                _ => new SingleLabelHead(backbone.HiddenSize, labels.Count, options),
            };
            return new TextClassifier(tokenizer, backbone, taskHead, labels, maxLength);
        }
        catch
        {
            (backbone as IDisposable)?.Dispose();
            throw;
        }
    }
}
