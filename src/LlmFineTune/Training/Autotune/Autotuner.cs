using System.Diagnostics;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Training.Optimizers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LlmFineTune.Training.Autotune;

/// <summary>
/// Time-budgeted search for the settings of a classifier on a validation set, like fastText's
/// <c>-autotune-validation</c>: the first trial trains with the given (default) settings, each next one with a
/// seeded proposal near the best so far or anywhere in the space; every trial keeps its best epoch on the
/// validation set. Only the training and validation sets are read.
/// </summary>
public sealed class Autotuner
{
    /// <summary>Bag trials whose embedding table (buckets × width) would exceed this many floats get fewer buckets, so two models fit in memory.</summary>
    private const long MaxBagTableFloats = 1L << 25;

    private readonly AutotuneOptions options;
    private readonly ILogger logger;

    /// <summary>Creates an autotuner.</summary>
    /// <param name="options">Budget, seed and metric; validated here. Defaults when null.</param>
    /// <param name="logger">Receives a line per trial.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public Autotuner(AutotuneOptions? options = null, ILogger? logger = null)
    {
        this.options = options ?? new AutotuneOptions();
        this.options.Validate();
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Searches, and returns the best trial with its trained model.</summary>
    /// <param name="train">What every trial trains on.</param>
    /// <param name="validation">What every trial is scored on (the epoch and the settings are chosen on it); null holds out a stratified 10 % of <paramref name="train"/>.</param>
    /// <param name="factory">Backbone and sizes; the bag or transformer settings of the search replace its own. Defaults when null.</param>
    /// <param name="trainer">Settings of the first trial and everything the search leaves alone; <see cref="TrainerOptions.Recommended(string, bool, int)"/> when null.</param>
    /// <param name="pretrainedDirectory">A model directory every trial continues from (<see cref="ClassifierFactory.FromPretrained"/>), or null to start from scratch.</param>
    /// <param name="progress">Receives a report after each trial.</param>
    /// <param name="cancellationToken">Stops the search (the result of finished trials is lost).</param>
    /// <returns>The result; the caller disposes it.</returns>
    /// <exception cref="ArgumentException">A set is empty or its kind differs from the other's.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public AutotuneResult Tune(ITextDataset train, ITextDataset? validation, ClassifierFactoryOptions? factory = null, TrainerOptions? trainer = null,
        string? pretrainedDirectory = null, IProgress<AutotuneProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (validation is null)
            (train, validation) = train.StratifiedSplit(new TrainerOptions().ValidationFraction, options.Seed);
        if (validation.Kind != train.Kind)
            throw new ArgumentException($"The validation set is {validation.Kind} but the training set is {train.Kind}.", nameof(validation));
        factory ??= new ClassifierFactoryOptions();
        factory.Seed = options.Seed;
        string backbone = pretrainedDirectory is null ? factory.Backbone ?? ClassifierFactory.Bag : ClassifierFactory.BackboneOf(pretrainedDirectory);
        bool bag = backbone == ClassifierFactory.Bag;
        trainer ??= TrainerOptions.Recommended(backbone, pretrainedDirectory is not null, train.Count);
        var rule = BestModelRule.For(options.Metric, greaterIsBetter: null, train.Kind);
        var space = new SearchSpace(bag);
        var random = new Random(options.Seed);
        var clock = Stopwatch.StartNew();

        var settings = Defaults(factory, trainer, bag);
        var trials = new List<AutotuneTrial>();
        AutotuneTrial? best = null;
        TextClassifier? bestModel = null;
        try
        {
            while (options.MaxTrials is not { } max || trials.Count < max)
            {
                var remaining = options.Duration - clock.Elapsed;
                if (trials.Count > 0 && remaining <= TimeSpan.Zero) break;
                var (trial, model) = RunTrial(trials.Count + 1, settings, train, validation, factory, trainer, pretrainedDirectory, rule,
                    trials.Count == 0 ? null : remaining, cancellationToken);
                if (trial is null) break;   // the budget ran out during the trial
                trials.Add(trial);
                if (best is null || Better(trial.Score, best.Score, rule))
                {
                    bestModel?.Dispose();
                    (best, bestModel) = (trial, model);
                }
                else
                {
                    model!.Dispose();
                }
                logger.LogInformation("Trial {Number}: {Metric} {Score:G5} (best {Best:G5}, trial {BestNumber}) with {Settings}", trial.Number, rule.Metric, trial.Score, best.Score, best.Number, trial.Settings);
                progress?.Report(new AutotuneProgress(trial, best, rule.Metric, clock.Elapsed));
                settings = Bounded(space.Propose(random, best.Settings));
            }
            return new AutotuneResult(bestModel!, best!, trials, rule.Metric);
        }
        catch
        {
            bestModel?.Dispose();
            throw;
        }
    }

    private (AutotuneTrial? Trial, TextClassifier? Model) RunTrial(int number, AutotuneSettings settings, ITextDataset train, ITextDataset validation,
        ClassifierFactoryOptions factory, TrainerOptions trainer, string? pretrainedDirectory, BestModelRule rule, TimeSpan? budget, CancellationToken cancellationToken)
    {
        var trialOptions = settings.ApplyTo(trainer);
        trialOptions.Seed = options.Seed;
        trialOptions.MetricForBestModel = rule.Metric;
        trialOptions.GreaterIsBetter = rule.GreaterIsBetter;
        trialOptions.RestoreBestWeights = true;
        trialOptions.EvaluateEverySteps = 0;
        trialOptions.ResumeFrom = null;
        var modelOptions = settings.ApplyTo(factory);
        var model = pretrainedDirectory is null ? ClassifierFactory.Create(train, modelOptions) : ClassifierFactory.FromPretrained(pretrainedDirectory, train, modelOptions);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (budget is { } b) deadline.CancelAfter(b);
        var watch = Stopwatch.StartNew();
        try
        {
            var result = new Trainer(trialOptions, new AdamWFactory(settings.WeightDecay)).Train(model, train, validation, progress: null, deadline.Token);
            int bestEpoch = result.Evaluations.FirstOrDefault(e => e.Step == result.BestStep)?.Epoch ?? settings.Epochs;
            return (new AutotuneTrial(number, settings, result.BestMetric ?? double.NaN, bestEpoch, watch.Elapsed), model);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            model.Dispose();
            logger.LogInformation("Trial {Number} stopped: the autotune budget ran out.", number);
            return (null, null);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static AutotuneSettings Defaults(ClassifierFactoryOptions factory, TrainerOptions trainer, bool bag) =>
        new(trainer.LearningRate, trainer.Epochs, trainer.BatchSize, WeightDecay: 0.01, factory.HeadOptions?.Dropout ?? 0.1, bag ? 1.0 : trainer.LayerLearningRateDecay,
            bag ? null : factory.HeadOptions?.Pooling ?? Modeling.Heads.PoolingMode.Mean,
            bag ? factory.BagDimension : null, bag ? factory.BagWordNgrams : null, bag ? factory.BagBuckets : null);

    /// <summary>Halves a bag's buckets until its table fits <see cref="MaxBagTableFloats"/>.</summary>
    private static AutotuneSettings Bounded(AutotuneSettings settings)
    {
        if (settings.BagBuckets is not { } buckets || settings.BagDimension is not { } dimension) return settings;
        while ((long)buckets * dimension > MaxBagTableFloats && buckets > 1024) buckets /= 2;
        return settings with { BagBuckets = buckets };
    }

    private static bool Better(double score, double best, BestModelRule rule) =>
        !double.IsNaN(score) && (double.IsNaN(best) || rule.Improves(score, best));
}
