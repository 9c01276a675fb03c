using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Training.Callbacks;
using LlmFineTune.Training.Checkpoints;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using LlmFineTune.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmFineTune.Training;

/// <summary>
/// Runs the training loop over an <see cref="ITrainingTask"/> (fine-tuning a classifier, pretraining a
/// backbone, or your own): optimizer, schedule, gradient accumulation and clipping, evaluation,
/// early stopping, callbacks and checkpoints. Extend it by composition; it is not meant to be subclassed.
/// </summary>
public sealed class Trainer
{
    private readonly TrainerOptions options;
    private readonly IOptimizerFactory optimizerFactory;
    private readonly ILearningRateSchedule schedule;
    private readonly IReadOnlyList<ITrainingCallback> callbacks;
    private readonly ICheckpointStore? checkpoints;
    private readonly ILogger logger;
    private int running;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Training settings; validated here. Defaults when null.</param>
    /// <param name="optimizer">The optimizer; <see cref="AdamWFactory"/> when null.</param>
    /// <param name="schedule">The learning-rate schedule; <see cref="LinearSchedule"/> (decay to zero at the last step, as fastText does) when null.</param>
    /// <param name="callbacks">Callbacks, called in order, after the built-in ones the options ask for (early stopping, then best weights).</param>
    /// <param name="checkpoints">Where checkpoints go; none are written when null.</param>
    /// <param name="logger">Receives progress and evaluation messages.</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it.</exception>
    public Trainer(TrainerOptions? options = null, IOptimizerFactory? optimizer = null, ILearningRateSchedule? schedule = null,
        IEnumerable<ITrainingCallback>? callbacks = null, ICheckpointStore? checkpoints = null, ILogger? logger = null)
    {
        this.options = options ?? new TrainerOptions();
        this.options.Validate();
        if (this.options.ResumeFrom == TrainerOptions.Latest && checkpoints is null)
            throw OptionsValidation.Invalid<TrainerOptions>(nameof(TrainerOptions.ResumeFrom), $"'{TrainerOptions.Latest}' needs a checkpoint store; pass one to the Trainer or give a checkpoint directory.");
        optimizerFactory = optimizer ?? new AdamWFactory();
        this.schedule = schedule ?? new LinearSchedule();
        this.callbacks = callbacks?.ToList() ?? [];
        this.checkpoints = checkpoints;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options => options;

    /// <summary>Fine-tunes a classifier in place, holding out part of the training set to choose the epoch (see <see cref="TrainerOptions.ValidationFraction"/>).</summary>
    /// <param name="model">The classifier to train; left in eval mode.</param>
    /// <param name="train">The training set; its labels must be the model's.</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history.</returns>
    /// <exception cref="ArgumentException">The dataset is empty, its task does not match the model's head, or a single-label training set has only one class.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when a store is configured).</exception>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite.</exception>
    public TrainingResult Train(TextClassifier model, ITextDataset train, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Train(model, train, validation: null, progress, cancellationToken);

    /// <summary>
    /// Fine-tunes a classifier in place, evaluating on a validation set after every epoch. Without one, part of
    /// the training set is held out (<see cref="TrainerOptions.ValidationFraction"/>) and the best epoch's weights are
    /// kept. Afterwards the model's <see cref="TextClassifier.Temperature"/> is fitted on the validation part
    /// (<see cref="TrainerOptions.CalibrateTemperature"/>).
    /// </summary>
    /// <param name="model">The classifier to train; left in eval mode.</param>
    /// <param name="train">The training set; its labels must be the model's.</param>
    /// <param name="validation">The validation set, or null to hold out part of <paramref name="train"/> (or, for small sets or a <see cref="TrainerOptions.ValidationFraction"/> of 0, for no evaluation).</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history (with <see cref="TrainerOptions.RefitOnAllData"/>, the refit's steps and the held-out run's evaluations).</returns>
    /// <exception cref="ArgumentException">A dataset is empty, its task does not match the model's head, or a single-label training set has only one class.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when a store is configured).</exception>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite.</exception>
    public TrainingResult Train(TextClassifier model, ITextDataset train, ITextDataset? validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ClassifierTrainingTask.RequireMatch(model, train, nameof(train), "training");
        if (validation is not null)
            ClassifierTrainingTask.RequireMatch(model, validation, nameof(validation), "validation");
        // the weights are about to change, so a temperature fitted to the old ones no longer applies
        model.Temperature = 1.0;
        // saved with the model, so that the run can be resumed or reproduced with the same optimizer (OptimizerParts.Load)
        model.OptimizerRecord = OptimizerParts.Default.Record(optimizerFactory);
        var all = train;
        var runOptions = options;
        bool heldOut = validation is null && options.ValidationFraction > 0 && train.Count >= TrainerOptions.MinimumExamplesToHoldOut;
        if (heldOut)
        {
            (train, validation) = train.StratifiedSplit(options.ValidationFraction, options.Seed);
            runOptions = options.Copy();
            runOptions.RestoreBestWeights = true;
            logger.LogInformation("No validation set given: holding out {Count} of {Total} training examples (ValidationFraction {Fraction}) to choose the epoch.", validation.Count, all.Count, options.ValidationFraction);
        }
        var initial = heldOut && options.RefitOnAllData ? CheckpointFiles.Snapshot(model.Network) : null;
        try
        {
            var result = Run(runOptions, BestModelRule.For(options, model.Head.Kind), new ClassifierTrainingTask(model, train, runOptions),
                validation is null ? null : new ClassifierValidation(model, validation, runOptions).Evaluate, progress, cancellationToken);
            TemperatureCalibration? calibration = null;
            if (validation is not null && options.CalibrateTemperature && model.Head.Kind != TaskKind.Regression)
                calibration = TemperatureScaling.Calibrate(model, validation, options.BatchSize);
            // a refit model has seen the held-out examples, so it keeps the temperature fitted before the refit
            if (initial is not null && result.Evaluations.FirstOrDefault(e => e.Step == result.BestStep) is { } best)
                result = Refit(model, all, initial, best, result, progress, cancellationToken);
            model.Temperature = calibration?.Temperature ?? 1.0;
            return result with { Calibration = calibration };
        }
        finally
        {
            if (initial is not null)
                foreach (var tensor in initial.Values) tensor.Dispose();
        }
    }

    /// <summary>Trains again from the initial weights on every example for the best epoch count of the held-out run; keeps that run's evaluations.</summary>
    private TrainingResult Refit(TextClassifier model, ITextDataset all, Dictionary<string, TorchSharp.torch.Tensor> initial, EvaluationRecord best, TrainingResult selection,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        CheckpointFiles.Restore(model.Network, initial);
        var refitOptions = options.Copy();
        refitOptions.Epochs = best.Epoch;
        refitOptions.MaxSteps = null;
        logger.LogInformation("Refitting on all {Count} examples for {Epochs} epochs (the best epoch of the held-out run).", all.Count, best.Epoch);
        var refit = Run(refitOptions, BestModelRule.For(options, model.Head.Kind), new ClassifierTrainingTask(model, all, refitOptions), evaluate: null, progress, cancellationToken);
        return refit with { Evaluations = selection.Evaluations, BestStep = selection.BestStep, BestMetric = selection.BestMetric, BestMetricName = selection.BestMetricName };
    }

    /// <summary>Runs the training loop over any task; evaluates when the task is an <see cref="IEvaluatingTask"/>.</summary>
    /// <param name="task">What to optimise.</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history.</returns>
    /// <exception cref="ArgumentException">The task streams but <see cref="TrainerOptions.MaxSteps"/> is not set, or it has no batches.</exception>
    /// <exception cref="OperationCanceledException">Cancelled (after writing a checkpoint when a store is configured).</exception>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite.</exception>
    /// <exception cref="InvalidDataException">The checkpoint to resume from is missing or incomplete.</exception>
    public TrainingResult Train(ITrainingTask task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        return Run(options, BestModelRule.For(options, classifier: null), task, task is IEvaluatingTask evaluating ? evaluating.Evaluate : null, progress, cancellationToken);
    }

    /// <summary>Fine-tunes a classifier on a long-running background thread.</summary>
    /// <param name="model">The classifier to train; do not predict with it until the task completes.</param>
    /// <param name="train">The training set.</param>
    /// <param name="validation">The validation set, or null for no evaluation.</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history.</returns>
    /// <exception cref="InvalidOperationException">This trainer is already running.</exception>
    public Task<TrainingResult> TrainAsync(TextClassifier model, ITextDataset train, ITextDataset? validation = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        OnLongRunningThread(() => Train(model, train, validation, progress, cancellationToken), cancellationToken);

    /// <summary>Runs the training loop over any task on a long-running background thread.</summary>
    /// <param name="task">What to optimise.</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history.</returns>
    /// <exception cref="InvalidOperationException">This trainer is already running.</exception>
    public Task<TrainingResult> TrainAsync(ITrainingTask task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        OnLongRunningThread(() => Train(task, progress, cancellationToken), cancellationToken);

    private static Task<TrainingResult> OnLongRunningThread(Func<TrainingResult> train, CancellationToken cancellationToken) =>
        // The loop holds thread-local torch state (dispose scopes, grad mode), so it runs on one dedicated thread.
        Task.Factory.StartNew(train, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private TrainingResult Run(TrainerOptions options, BestModelRule rule, ITrainingTask task, Func<IReadOnlyDictionary<string, double>>? evaluate, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref running, 1) == 1)
            throw new InvalidOperationException("This Trainer is already running; use one Trainer per concurrent run.");
        try
        {
            Runtime.TorchRuntime.EnsureAvailable();
            string? resumeFrom = options.ResumeFrom == TrainerOptions.Latest
                ? checkpoints!.Latest() ?? throw new InvalidOperationException($"TrainerOptions.ResumeFrom is '{TrainerOptions.Latest}' but the checkpoint store has no checkpoint. Train without ResumeFrom first.")
                : options.ResumeFrom;
            // the options' policies are callbacks of this run, ahead of the user's so that theirs see the decision
            var earlyStopping = options.EarlyStoppingPatience > 0 ? new EarlyStopping(options.EarlyStoppingPatience, rule.Metric, logger) : null;
            using var bestWeights = options.RestoreBestWeights ? new BestWeights(rule.Metric, logger) : null;
            ITrainingCallback?[] builtIn = [earlyStopping, bestWeights];
            using var loop = new TrainingLoop(options, rule, task, evaluate, optimizerFactory, schedule, [.. builtIn.OfType<ITrainingCallback>(), .. callbacks], checkpoints, logger, progress, cancellationToken);
            return loop.Run(resumeFrom) with { StoppedEarly = earlyStopping?.Stopped == true };
        }
        finally
        {
            Volatile.Write(ref running, 0);
        }
    }
}
