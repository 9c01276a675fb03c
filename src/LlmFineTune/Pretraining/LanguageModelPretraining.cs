using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Runtime;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Schedules;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Pretrains a transformer from nothing but text: learns a WordPiece vocabulary on the corpus, trains
/// a BERT encoder with masked LM or ELECTRA's replaced-token detection (<c>bert-*</c> backbones) or a GPT-2 decoder with causal LM
/// (<c>gpt2-*</c> backbones), and saves a model directory that
/// <see cref="ClassifierFactory.FromPretrained"/>, <see cref="ModelDirectory.LoadEncoder"/> and
/// <see cref="ModelDirectory.LoadDecoder"/> read. It can also continue pretraining a saved model on new text
/// (<see cref="LanguageModelPretrainingOptions.From"/>), and train for a wall-clock budget (<see cref="LanguageModelPretrainingOptions.TimeBudget"/>).
/// </summary>
public static class LanguageModelPretraining
{
    /// <summary>The file next to the weights that records the recipe and the step count of a run.</summary>
    public const string RecipeFileName = "pretraining.json";

    /// <summary>Runs the whole recipe and saves the result.</summary>
    /// <param name="documents">The unlabeled documents.</param>
    /// <param name="outputDirectory">Where the model directory is written (created if missing).</param>
    /// <param name="options">Backbone, sizes and budget; defaults when null.</param>
    /// <param name="progress">Receives each optimizer step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history, held-out perplexity and, for a time budget, its calibration.</returns>
    /// <exception cref="ArgumentException">The backbone name is unknown, an option is out of range or conflicts with another, or too few documents remain after holding some out.</exception>
    /// <exception cref="InvalidDataException">The documents contain no words, or the <see cref="LanguageModelPretrainingOptions.From"/> directory is not a transformer model directory.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when <see cref="LanguageModelPretrainingOptions.Checkpoints"/> is set).</exception>
    public static LanguageModelPretrainingResult Run(IReadOnlyList<string> documents, string outputDirectory, LanguageModelPretrainingOptions? options = null,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        options ??= new LanguageModelPretrainingOptions();
        bool decoder = Validate(documents, options);
        var pretrainingOptions = new PretrainingOptions { MaxLength = Math.Min(options.MaxLength, Positions(options.From, decoder)), BatchSize = options.BatchSize, Packing = options.Packing };
        pretrainingOptions.Validate();
        TrainerOptionsFor(options, options.Steps).Validate();

        var heldOut = documents.Skip(documents.Count - options.HeldOutDocuments).ToList();
        var corpus = documents.Take(documents.Count - options.HeldOutDocuments).ToList();
        var tokenizer = options.From is { } from
            ? Tokenizers.Load(from)
            : new WordPieceTrainer(new WordPieceTrainerOptions { VocabularySize = options.VocabularySize }).Train(corpus, cancellationToken);

        TorchRuntime.EnsureAvailable();
        (PretrainingCalibration? calibration, PretrainingTask? calibrated) = options.TimeBudget is { } budget ? Calibrate(options, decoder, tokenizer, corpus, pretrainingOptions, budget, cancellationToken) : default;
        int? steps = calibration?.Steps ?? options.Steps;

        random.manual_seed(options.Seed);
        var objective = NewObjective(options, decoder, tokenizer);
        using var model = objective.Module;
        // the calibration has tokenized the corpus already: a large one costs minutes to tokenize
        var task = calibrated?.WithObjective(objective) ?? new PretrainingTask(objective, tokenizer, corpus, pretrainingOptions);
        int totalSteps = steps ?? (int)Math.Min(int.MaxValue, task.BatchesPerEpoch!.Value * options.Epochs);
        var schedule = options.Schedule ?? new LinearSchedule(warmupSteps: (int)(totalSteps * LanguageModelPretrainingOptions.DefaultWarmupShare));
        var before = heldOut.Count > 0 ? task.Evaluate(heldOut, options.Seed) : null;
        var mainOptions = TrainerOptionsFor(options, steps);
        mainOptions.ResumeFrom = options.ResumeFrom;
        // checkpoints are language-model directories like the output, loadable the way a run continues from one
        var checkpointed = new LanguageModelTrainingTask(task, objective, tokenizer, directory => Load(directory, decoder, tokenizer, options));
        var training = new Trainer(mainOptions, schedule: schedule, checkpoints: options.Checkpoints).Train(checkpointed, progress, cancellationToken);
        var after = heldOut.Count > 0 ? task.Evaluate(heldOut, options.Seed) : null;
        var result = new LanguageModelPretrainingResult(training, tokenizer.VocabularySize, before, after) { Calibration = calibration };
        // the recipe goes in with the weights, so a reader never sees a model without the recipe that made it
        LanguageModelDirectory.Save(objective, tokenizer, outputDirectory,
            staging => WriteRecipe(staging, options, decoder, pretrainingOptions, schedule, corpus.Count, result));
        return result;
    }

    /// <summary>Checks the options up front, before any vocabulary is learned; returns whether the model is a (causal) decoder.</summary>
    private static bool Validate(IReadOnlyList<string> documents, LanguageModelPretrainingOptions options)
    {
        bool decoder;
        if (options.From is { } from)
        {
            string kind = ClassifierFactory.BackboneOf(from);
            if (kind == ClassifierFactory.Bag)
                throw new ArgumentException($"{from} holds a bag-of-n-grams model; continue it with {nameof(WordVectorPretraining)}, or pass a BERT or GPT-2 model directory as {nameof(options.From)}.", nameof(options));
            decoder = (ModelPresets.Find(kind)?.Kind ?? kind) == CausalDecoder.KindName;
            BackbonePreset.RequireRoomForText(kind, options.MaxLength);
        }
        else
        {
            var preset = ModelPresets.Find(options.Backbone) is { Kind: not BagOfNgrams.KindName } transformer ? transformer
                : throw new ArgumentException($"Unknown backbone '{options.Backbone}'. Valid: {string.Join(", ", ModelPresets.Names.Where(n => n != BagOfNgrams.KindName))}.", nameof(options.Backbone));
            ArgumentOutOfRangeException.ThrowIfLessThan(options.VocabularySize, 16, nameof(options.VocabularySize));
            preset.PositionsFor(options.MaxLength, options.MaxPositions ?? options.MaxLength);
            decoder = preset.Kind == CausalDecoder.KindName;
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.HeldOutDocuments, nameof(options.HeldOutDocuments));
        if (documents.Count - options.HeldOutDocuments < 1)
            throw new ArgumentException($"The corpus has {documents.Count} document(s); holding out {options.HeldOutDocuments} leaves none to train on.", nameof(documents));
        if (options.TimeBudget is { } budget)
        {
            if (options.Steps is not null)
                throw new ArgumentException($"Set {nameof(options.Steps)} or {nameof(options.TimeBudget)}, not both: a budget is turned into a step count by calibration.", nameof(options));
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(budget, TimeSpan.Zero, nameof(options.TimeBudget));
            ArgumentOutOfRangeException.ThrowIfLessThan(options.CalibrationSteps, 1, nameof(options.CalibrationSteps));
        }
        if (options.Dropout is { } dropout && !(dropout >= 0 && dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(options.Dropout), dropout, $"{nameof(options.Dropout)} must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(options.Masking, nameof(options.Masking));
        options.Masking.Validate();
        if (options.ReplacedTokenDetection is { } electra)
        {
            if (decoder)
                throw new ArgumentException($"{nameof(options.ReplacedTokenDetection)} (ELECTRA) pretrains a BERT encoder, and {options.From ?? options.Backbone} is a GPT-2 decoder; pass a bert-* backbone or leave {nameof(options.ReplacedTokenDetection)} null.", nameof(options));
            electra.Validate();
        }
        return decoder;
    }

    /// <summary>The positions of the model to continue (sequences may not be longer), or no limit for a new model.</summary>
    private static int Positions(string? from, bool decoder) =>
        from is null ? int.MaxValue
        : decoder ? ModelDirectory.ReadDecoderConfig(from).NPositions
        : ModelDirectory.ReadEncoderConfig(from).MaxPositionEmbeddings;

    private static TrainerOptions TrainerOptionsFor(LanguageModelPretrainingOptions options, int? steps) => new()
    {
        Epochs = options.Epochs,
        MaxSteps = steps,
        BatchSize = options.BatchSize,
        LearningRate = options.LearningRate,
        MaxGradientNorm = options.MaxGradientNorm,
        Seed = options.Seed,
    };

    /// <summary>A saved model with its objective; the caller disposes its module.</summary>
    private static IPretrainingObjective Load(string directory, bool decoder, ITokenizer tokenizer, LanguageModelPretrainingOptions options) =>
        decoder ? LanguageModelDirectory.LoadCausalLanguageModel(directory, tokenizer)
            : options.ReplacedTokenDetection is { } electra ? LanguageModelDirectory.LoadReplacedTokenDetection(directory, tokenizer, electra)
            : LanguageModelDirectory.LoadMaskedLanguageModel(directory, tokenizer, options.Masking);

    /// <summary>A fresh (or loaded) model with its objective; the caller disposes its module.</summary>
    private static IPretrainingObjective NewObjective(LanguageModelPretrainingOptions options, bool decoder, ITokenizer tokenizer)
    {
        if (options.From is { } from)
            return Load(from, decoder, tokenizer, options);
        var preset = ModelPresets.Get(options.Backbone);
        return preset.Create(tokenizer, preset.PositionsFor(options.MaxLength, options.MaxPositions ?? options.MaxLength), dropout: options.Dropout) switch
        {
            CausalDecoder causal => new CausalLanguageModel(causal, tokenizer),
            var encoder when options.ReplacedTokenDetection is { } electra => ModelDirectory.Around((BertBackbone)encoder, e => new ReplacedTokenDetection(e, tokenizer, electra)),
            var encoder => new MaskedLanguageModel((BertBackbone)encoder, tokenizer, options.Masking),
        };
    }

    /// <summary>
    /// Times a few steps of a throwaway model (built as the real one is), fits their time to their padded sizes and turns the
    /// budget into the steps that fit at the mean padded size of the run's batches. Returns the calibration's task too, whose
    /// tokenized corpus the run reuses.
    /// </summary>
    private static (PretrainingCalibration Calibration, PretrainingTask Task) Calibrate(LanguageModelPretrainingOptions options, bool decoder, ITokenizer tokenizer, List<string> corpus,
        PretrainingOptions pretrainingOptions, TimeSpan budget, CancellationToken cancellationToken)
    {
        random.manual_seed(options.Seed);
        var objective = NewObjective(options, decoder, tokenizer);
        using var model = objective.Module;
        var task = new PretrainingTask(objective, tokenizer, corpus, pretrainingOptions);
        var timer = new StepTimer(task, options.Clock, LanguageModelPretrainingOptions.CalibrationWarmupSteps);
        // The real run warms up from 0; a constant rate keeps these steps as costly as its later ones.
        new Trainer(TrainerOptionsFor(options, LanguageModelPretrainingOptions.CalibrationWarmupSteps + options.CalibrationSteps), schedule: new ConstantSchedule(), callbacks: [timer])
            .Train(timer, cancellationToken: cancellationToken);
        var timed = timer.TimedSteps();
        double tokensPerStep = task.MeanPaddedTokensPerBatch(epoch: 1, options.Seed) ?? timed.Average(s => s.Tokens);
        double secondsPerStep = StepCostModel.Fit(timed).SecondsFor(tokensPerStep);
        return (new PretrainingCalibration(budget, timed.Count, secondsPerStep, PretrainingCalibration.StepsWithin(budget, secondsPerStep)) { PaddedTokensPerStep = tokensPerStep }, task);
    }

    /// <summary>Writes <see cref="RecipeFileName"/>: what was trained, how, and for how many steps.</summary>
    private static void WriteRecipe(string directory, LanguageModelPretrainingOptions options, bool decoder, PretrainingOptions sequences, ILearningRateSchedule schedule, int documents, LanguageModelPretrainingResult result)
    {
        var electra = options.ReplacedTokenDetection;
        var json = new JsonObject
        {
            ["objective"] = decoder ? "clm" : electra is null ? "mlm" : "electra",
            ["backbone"] = options.From is null ? options.Backbone : ClassifierFactory.BackboneOf(directory),
            ["from"] = options.From,
            ["documents"] = documents,
            ["steps"] = result.Training.Steps,
            ["batch_size"] = options.BatchSize,
            ["max_length"] = sequences.MaxLength,
            ["packing"] = sequences.Packing,
            ["learning_rate"] = options.LearningRate,
            ["schedule"] = schedule.GetType().Name,
            ["warmup_steps"] = schedule switch { LinearSchedule l => l.WarmupSteps, ConstantSchedule c => c.WarmupSteps, _ => null },
            ["max_gradient_norm"] = options.MaxGradientNorm,
            ["dropout"] = options.From is null ? options.Dropout : null,
            ["mask_probability"] = decoder ? null : (electra?.Masking ?? options.Masking).Probability,
            ["generator_size_fraction"] = electra?.GeneratorSizeFraction,
            ["discriminator_weight"] = electra?.DiscriminatorWeight,
            ["seed"] = options.Seed,
            ["time_budget_seconds"] = result.Calibration?.Budget.TotalSeconds,
            ["calibration"] = result.Calibration is { } timed
                ? new JsonObject { ["timed_steps"] = timed.TimedSteps, ["seconds_per_step"] = timed.SecondsPerStep, ["padded_tokens_per_step"] = timed.PaddedTokensPerStep, ["steps"] = timed.Steps }
                : null,
            // ELECTRA's loss mixes a cross-entropy with 50 binary ones, so its exponential is no perplexity.
            ["held_out_perplexity_before"] = electra is null ? result.Before?.Perplexity : null,
            ["held_out_perplexity_after"] = electra is null ? result.After?.Perplexity : null,
            ["held_out_loss_before"] = result.Before?.Loss,
            ["held_out_loss_after"] = result.After?.Loss,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, RecipeFileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
