using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Runtime;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Pretrains a transformer from nothing but text: learns a WordPiece vocabulary on the corpus, trains
/// a BERT encoder with masked LM (<c>bert-*</c> backbones) or a GPT-2 decoder with causal LM
/// (<c>gpt2-*</c> backbones), and saves a model directory that
/// <see cref="ClassifierFactory.FromPretrained"/>, <see cref="ModelDirectory.LoadEncoder"/> and
/// <see cref="ModelDirectory.LoadDecoder"/> read.
/// </summary>
public static class EncoderPretraining
{
    /// <summary>Runs the whole recipe and saves the result.</summary>
    /// <param name="documents">The unlabeled documents.</param>
    /// <param name="outputDirectory">Where the model directory is written (created if missing).</param>
    /// <param name="options">Backbone, sizes and budget; defaults when null.</param>
    /// <param name="progress">Receives each optimizer step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history and held-out perplexity.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown, an option is out of range, or too few documents remain after holding some out.</exception>
    /// <exception cref="InvalidDataException">The documents contain no words.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when <see cref="EncoderPretrainingOptions.Checkpoints"/> is set).</exception>
    public static EncoderPretrainingResult Run(IReadOnlyList<string> documents, string outputDirectory, EncoderPretrainingOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new EncoderPretrainingOptions();
        string[] backbones = [.. TransformerEncoderConfig.PresetNames, .. CausalDecoderConfig.PresetNames];
        if (!backbones.Contains(options.Backbone, StringComparer.Ordinal))
            throw new ArgumentException($"Unknown backbone '{options.Backbone}'. Valid: {string.Join(", ", backbones)}.", nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.HeldOutDocuments, nameof(options.HeldOutDocuments));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.VocabularySize, 16, nameof(options.VocabularySize));
        if (documents.Count - options.HeldOutDocuments < 1)
            throw new ArgumentException($"The corpus has {documents.Count} document(s); holding out {options.HeldOutDocuments} leaves none to train on.", nameof(documents));
        var pretrainingOptions = new PretrainingOptions { MaxLength = options.MaxLength, BatchSize = options.BatchSize, Packing = options.Packing };
        pretrainingOptions.Validate();
        var trainerOptions = new TrainerOptions { Epochs = options.Epochs, MaxSteps = options.Steps, BatchSize = options.BatchSize, LearningRate = options.LearningRate, MaxGradientNorm = options.MaxGradientNorm, Seed = options.Seed, ResumeFrom = options.ResumeFrom };
        trainerOptions.Validate();
        ArgumentNullException.ThrowIfNull(options.Masking, nameof(options.Masking));
        options.Masking.Validate();

        var heldOut = documents.Skip(documents.Count - options.HeldOutDocuments).ToList();
        var corpus = documents.Take(documents.Count - options.HeldOutDocuments).ToList();
        var tokenizer = new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = options.VocabularySize }).Train(corpus, cancellationToken);

        TorchRuntime.EnsureAvailable();
        random.manual_seed(options.Seed);
        IPretrainingObjective objective = ClassifierFactory.NewTransformer(options.Backbone, tokenizer, options.MaxLength) switch
        {
            CausalDecoder decoder => new CausalLanguageModel(decoder, tokenizer),
            var encoder => new MaskedLanguageModel((TransformerEncoder)encoder, tokenizer, options.Masking),
        };
        using var model = objective.Module;
        var task = new PretrainingTask(objective, tokenizer, corpus, pretrainingOptions);
        var before = heldOut.Count > 0 ? task.Evaluate(heldOut, options.Seed) : null;
        var training = new Trainer(trainerOptions, schedule: options.Schedule, checkpoints: options.Checkpoints).Train(task, progress, cancellationToken);
        var after = heldOut.Count > 0 ? task.Evaluate(heldOut, options.Seed) : null;
        if (objective is CausalLanguageModel causal)
            ModelDirectory.SaveCausalLanguageModel(causal, tokenizer, outputDirectory);
        else
            ModelDirectory.SaveMaskedLanguageModel((MaskedLanguageModel)objective, tokenizer, outputDirectory);
        return new EncoderPretrainingResult(training, tokenizer.VocabularySize, before, after);
    }
}
