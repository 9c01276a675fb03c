using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Runtime;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Pretrains a BERT encoder from nothing but text: learns a WordPiece vocabulary on the corpus,
/// trains a masked language model, and saves a model directory that
/// <see cref="Modeling.ClassifierFactory.FromPretrained"/> and <see cref="ModelDirectory.LoadEncoder"/> read.
/// </summary>
public static class EncoderPretraining
{
    /// <summary>Runs the whole recipe and saves the result.</summary>
    /// <param name="documents">The unlabeled documents.</param>
    /// <param name="outputDirectory">Where the model directory is written (created if missing).</param>
    /// <param name="options">Sizes and budget; defaults when null.</param>
    /// <param name="progress">Receives each optimizer step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history and held-out perplexity.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown, an option is out of range, or too few documents remain after holding some out.</exception>
    /// <exception cref="InvalidDataException">The documents contain no words.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public static EncoderPretrainingResult Run(IReadOnlyList<string> documents, string outputDirectory, EncoderPretrainingOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new EncoderPretrainingOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.HeldOutDocuments, nameof(options.HeldOutDocuments));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.VocabularySize, 16, nameof(options.VocabularySize));
        if (documents.Count - options.HeldOutDocuments < 1)
            throw new ArgumentException($"The corpus has {documents.Count} document(s); holding out {options.HeldOutDocuments} leaves none to train on.", nameof(documents));
        var config = TransformerEncoderConfig.Preset(options.Backbone, vocabSize: 1);
        var pretrainingOptions = new PretrainingOptions { MaxLength = options.MaxLength, BatchSize = options.BatchSize, Packing = options.Packing };
        pretrainingOptions.Validate();
        var trainerOptions = new TrainerOptions { Epochs = options.Epochs, MaxSteps = options.Steps, BatchSize = options.BatchSize, LearningRate = options.LearningRate, Seed = options.Seed };
        trainerOptions.Validate();

        var heldOut = documents.Skip(documents.Count - options.HeldOutDocuments).ToList();
        var corpus = documents.Take(documents.Count - options.HeldOutDocuments).ToList();
        var tokenizer = new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = options.VocabularySize }).Train(corpus, cancellationToken);
        config.VocabSize = tokenizer.VocabularySize;
        config.MaxPositionEmbeddings = options.MaxLength;
        config.PadTokenId = tokenizer.PadId;

        TorchRuntime.EnsureAvailable();
        random.manual_seed(options.Seed);
        using var model = new MaskedLanguageModel(new TransformerEncoder(config), tokenizer);
        var task = new PretrainingTask(model, tokenizer, corpus, pretrainingOptions);
        var before = heldOut.Count > 0 ? task.Evaluate(heldOut, options.Seed) : null;
        var training = new Trainer(trainerOptions).Train(task, progress, cancellationToken);
        var after = heldOut.Count > 0 ? task.Evaluate(heldOut, options.Seed) : null;
        ModelDirectory.SaveMaskedLanguageModel(model, tokenizer, outputDirectory);
        return new EncoderPretrainingResult(training, tokenizer.VocabularySize, before, after);
    }
}
