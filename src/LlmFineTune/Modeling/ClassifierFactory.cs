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
/// hashing tokenizer for <c>bag</c>; a WordPiece vocabulary trained on the training texts for the
/// transformer presets, BERT encoders <c>bert-*</c> and GPT-2 decoders <c>gpt2-*</c>) or from a
/// pretrained or fine-tuned model directory.
/// </summary>
public static class ClassifierFactory
{
    /// <summary>The bag-of-n-grams backbone's name (<see cref="BagOfNgrams.KindName"/>).</summary>
    public const string Bag = BagOfNgrams.KindName;

    /// <summary>The backbone names <see cref="Create"/> accepts: <see cref="ModelPresets.Names"/> (<c>bag</c>, the encoder presets <c>bert-*</c> and the decoder presets <c>gpt2-*</c>, the same sizes).</summary>
    public static IReadOnlyList<string> BackboneNames => ModelPresets.Names;

    /// <summary>Builds an untrained classifier for a training set.</summary>
    /// <param name="train">The training set: its texts train the WordPiece vocabulary (transformer backbones), its labels size the head.</param>
    /// <param name="options">Backbone, head and sizes; defaults when null.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown (the message lists the known ones), a size is invalid (the message names the option), or a single-label training set holds one class.</exception>
    public static TextClassifier Create(ITextDataset train, ClassifierFactoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        options ??= new ClassifierFactoryOptions();
        var preset = Preset(options.Backbone ?? Bag);
        TaskKind head = options.Head ?? train.Kind;
        int maxLength = options.MaxLength ?? preset.MaxLength;
        int? positions = preset.PositionsFor(maxLength, options.MaxPositions);
        TrainingSetChecks.RequireTwoClasses(train, head, nameof(train));
        Runtime.TorchRuntime.EnsureAvailable();
        random.manual_seed(options.Seed);
        var tokenizer = NewTokenizer(preset, options, train.Select(e => e.Text));
        return Assemble(tokenizer, preset.Create(tokenizer, positions, options.BagDimension), head, train.LabelMap, maxLength, options.HeadOptions);
    }

    /// <summary>The catalogue entry of a backbone name, refused with the option's name when unknown.</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    internal static BackbonePreset Preset(string backbone) =>
        ModelPresets.Find(backbone) ?? throw new ArgumentException($"Unknown backbone '{backbone}'. Known: {string.Join(", ", BackboneNames)}.", nameof(ClassifierFactoryOptions.Backbone));

    /// <summary>The preset's tokenizer for new texts: hashing for the bag, WordPiece learned from the texts otherwise; sizes from the options, else the preset.</summary>
    private static ITokenizer NewTokenizer(BackbonePreset preset, ClassifierFactoryOptions options, IEnumerable<string> texts)
    {
        if (preset.Tokenizer == ModelPresets.HashingTokenizer)
        {
            var hashing = new HashingTokenizerOptions { Buckets = options.BagBuckets ?? preset.VocabularySize };
            hashing.WordNgrams = options.BagWordNgrams ?? hashing.WordNgrams;
            return new HashingTokenizer(hashing);
        }
        int vocabulary = options.VocabularySize ?? preset.VocabularySize;
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabulary, 16, nameof(options.VocabularySize));
        return new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = vocabulary }).Train(texts);
    }

    /// <summary>Builds a classifier that continues from a model directory: a pretrained encoder or decoder gets a fresh head; a fine-tuned classifier with the same labels and head kind keeps its head.</summary>
    /// <param name="directory">A directory written by <see cref="TextClassifier.Save"/>, <c>LanguageModelDirectory.SaveMaskedLanguageModel</c>, <c>LanguageModelDirectory.SaveCausalLanguageModel</c> or <c>WordVectorPretraining.Run</c> (or a Hugging Face BERT or GPT-2 checkpoint).</param>
    /// <param name="train">The training set (its labels size a fresh head).</param>
    /// <param name="options">Head and length; <see cref="ClassifierFactoryOptions.Backbone"/>, when set, must match the directory's backbone. Defaults when null.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="ArgumentException">The backbone option conflicts with the directory's backbone, or a single-label training set holds one class.</exception>
    /// <exception cref="InvalidDataException">A file in the directory is missing or malformed.</exception>
    public static TextClassifier FromPretrained(string directory, ITextDataset train, ClassifierFactoryOptions? options = null)
    {
        RequireDirectory(directory);
        ArgumentNullException.ThrowIfNull(train);
        options ??= new ClassifierFactoryOptions();
        TaskKind head = options.Head ?? train.Kind;
        TrainingSetChecks.RequireTwoClasses(train, head, nameof(train));
        Runtime.TorchRuntime.EnsureAvailable();

        // One save's files throughout, though a writer may be replacing the directory meanwhile; one read of config.json and the weights' header.
        return ModelManifest.Read(directory, reader =>
        {
            string implied = BackboneOf(reader);
            if (options.Backbone is { } asked && !string.Equals(asked, implied, StringComparison.Ordinal))
                throw new ArgumentException($"Backbone '{asked}' conflicts with {directory}, which holds a {implied} model; leave the backbone out{(BackboneNames.Contains(implied) ? " or pass " + implied : "")}.", nameof(options));
            random.manual_seed(options.Seed);
            bool classifier = ModelDirectory.HoldsClassifier(reader, ModelParts.Default);
            // A fine-tuned classifier for the same labels continues whole; the labels are in config.json, so no other model is loaded first.
            if (classifier && ModelDirectory.ReadLabels(reader).SequenceEqual(train.LabelMap, StringComparer.Ordinal))
            {
                var saved = ModelDirectory.LoadClassifier(reader, ModelParts.Default, tokenizerLoader: null, logger: null);
                if (saved.Head.Kind == head && (options.MaxLength is null || options.MaxLength == saved.MaxLength))
                    return saved;
                saved.Dispose();
            }
            // Otherwise the backbone (pretrained, word vectors, or a classifier's) gets a fresh head.
            var tokenizer = ModelDirectory.LoadTokenizer(reader, ModelParts.Default, tokenizerLoader: null);
            var backbone = ModelDirectory.LoadBackbone(reader, ModelParts.Default);
            // A classifier keeps its truncation; other directories truncate as their preset (or their architecture's first preset) does.
            int fallback = classifier && reader.Section["max_length"] is not null ? JsonFiles.GetInt(reader.Section, "max_length", reader.ConfigPath)
                : (ModelPresets.Find(implied) ?? ModelPresets.OfKind(backbone.Kind).FirstOrDefault())?.MaxLength ?? ModelPresets.TransformerMaxLength;
            int maxLength = Math.Min(options.MaxLength ?? fallback, backbone.MaxPositions ?? int.MaxValue);
            BackbonePreset.RequireRoomForText(implied, maxLength);
            return Assemble(tokenizer, backbone, head, train.LabelMap, maxLength, options.HeadOptions);
        });
    }

    /// <summary>The backbone name of a model directory: <c>bag</c>, a transformer preset name, <c>bert</c> / <c>gpt2</c> for an encoder / decoder of another size, or the name a user's backbone is registered under.</summary>
    /// <param name="directory">A model directory.</param>
    /// <returns>The name.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException"><c>config.json</c> is missing or malformed.</exception>
    public static string BackboneOf(string directory)
    {
        RequireDirectory(directory);
        return BackboneOf(new ModelDirectoryReader(directory));
    }

    /// <summary>A directory of a preset's shape is named after it; another size by its architecture alone.</summary>
    private static string BackboneOf(ModelDirectoryReader reader)
    {
        string kind = ModelDirectory.BackboneName(reader);
        (int Hidden, int Layers, int Heads, int Inner) shape;
        if (kind == CausalDecoder.KindName)
        {
            var d = ModelDirectory.ReadDecoderConfig(reader);
            shape = (d.NEmbd, d.NLayer, d.NHead, d.InnerSize);
        }
        else if (kind == BertBackbone.KindName)
        {
            var e = ModelDirectory.ReadEncoderConfig(reader);
            shape = (e.HiddenSize, e.NumHiddenLayers, e.NumAttentionHeads, e.IntermediateSize);
        }
        else
            return kind;
        return ModelPresets.OfKind(kind).FirstOrDefault(p => (p.HiddenSize, p.Layers, p.AttentionHeads, p.IntermediateSize) == shape)?.Name ?? kind;
    }

    private static void RequireDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: model directory not found. Pass a directory written by 'pretrain', 'finetune' or TextClassifier.Save.");
    }

    private static TextClassifier Assemble(ITokenizer tokenizer, IBackbone backbone, TaskKind head, LabelMap labels, int maxLength, HeadOptions? headOptions)
    {
        try
        {
            // A BERT encoder classifies through its own pooler (tanh(dense([CLS]))), trained with the head, so that the saved
            // directory is exactly Hugging Face's BertForSequenceClassification (docs/hf-export.md has the accuracy against the mean).
            // A decoder pools the mean of its token states: its last token is the one state that has read the whole text (HF's
            // GPT2ForSequenceClassification scores it), but the mean fine-tunes better from few labels: gpt2-tiny after
            // 400 causal-LM steps on debian-descriptions, 500 labels of debian-sections-topical, accuracy on 1,000 test
            // texts 0.440 vs 0.381 (seed 42) and 0.404 vs 0.366 (seed 7). Such a directory claims GPT2Model, not the classifier.
            var options = headOptions ?? (backbone is CausalDecoder ? new HeadOptions { Pooling = PoolingMode.Mean } : null);
            TaskHead taskHead = head switch
            {
                TaskKind.MultiLabel => new MultiLabelHead(backbone.HiddenSize, labels.Count, options),
                TaskKind.Regression => new RegressionHead(backbone.HiddenSize, options),
                _ => new SingleLabelHead(backbone.HiddenSize, labels.Count, options),
            };
            // HF's GPT-2 classifier ("score") has no bias; without one every saved tensor is one transformers expects.
            if (backbone is CausalDecoder)
                taskHead.RemoveOutputBias();
            return new TextClassifier(tokenizer, backbone, taskHead, labels, maxLength);
        }
        catch
        {
            (backbone as IDisposable)?.Dispose();
            throw;
        }
    }
}
