using LlmFineTune.Batching;
using LlmFineTune.Training.Callbacks;
using LlmFineTune.Training.Checkpoints;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using Microsoft.Extensions.Logging;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>
/// One training run: the state <see cref="Trainer"/> keeps between steps, and the steps themselves. Policies
/// (early stopping, best weights, freezing) are callbacks; the loop only tracks the best metric they read.
/// </summary>
internal sealed class TrainingLoop : IDisposable
{
    private const int NativeTrimEverySteps = 500;

    private readonly TrainerOptions options;
    private readonly BestModelRule rule;
    private readonly ITrainingTask task;
    private readonly Func<IReadOnlyDictionary<string, double>>? evaluate;
    private readonly ILearningRateSchedule schedule;
    private readonly IReadOnlyList<ITrainingCallback> callbacks;
    private readonly ICheckpointStore? checkpoints;
    private readonly ILogger logger;
    private readonly IProgress<TrainingProgress>? progress;
    private readonly CancellationToken cancellationToken;
    private readonly nn.Module module;
    private readonly optim.Optimizer optimizer;
    private readonly double[] baseRates;
    private readonly List<Parameter> parameters;
    private readonly TrainerState state;
    private readonly TrainerControl control = new();

    public TrainingLoop(TrainerOptions options, BestModelRule rule, ITrainingTask task, Func<IReadOnlyDictionary<string, double>>? evaluate, IOptimizerFactory optimizerFactory,
        ILearningRateSchedule schedule, IReadOnlyList<ITrainingCallback> callbacks, ICheckpointStore? checkpoints, ILogger logger,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        this.options = options;
        this.rule = rule;
        this.task = task;
        this.evaluate = evaluate;
        this.schedule = schedule;
        this.callbacks = callbacks;
        this.checkpoints = checkpoints;
        this.logger = logger;
        this.progress = progress;
        this.cancellationToken = cancellationToken;
        module = task.Module;

        var groups = TaskLayerGroups.Named(task, options.LayerLearningRateDecay);
        parameters = [.. groups.SelectMany(g => g.Parameters.Select(p => p.Parameter))];
        optimizer = optimizerFactory.Create(groups, options.LearningRate);
        baseRates = [.. optimizer.ParamGroups.Select(g => g.LearningRate)];
        state = new TrainerState(TotalSteps(task, options), options.Seed, [.. groups.Select(g => (IReadOnlyList<Parameter>)[.. g.Parameters.Select(p => p.Parameter)])], module);
    }

    public TrainingResult Run(string? resumeFrom)
    {
        long skip = 0;
        if (resumeFrom is not null)
        {
            skip = RunCheckpoint.Resume(resumeFrom, state, task, optimizer, callbacks.OfType<ICheckpointedCallback>());
            logger.LogInformation("Resumed from {Directory} at step {Step} (epoch {Epoch}, batch {Batch}).", resumeFrom, state.Step, state.Epoch, skip);
        }
        else
        {
            manual_seed(options.Seed);
        }

        ForEachCallback(c => c.OnTrainBegin(state, control));
        module.train();
        try
        {
            ZeroGradients();
            for (int epoch = state.Epoch; !control.StopTraining; epoch++, skip = 0)
            {
                if (options.MaxSteps is null && epoch > options.Epochs) break;
                if (skip == 0 && state.Step >= state.TotalSteps) break;
                if (!RunEpoch(epoch, skip)) break;
            }
            ForEachCallback(c => c.OnTrainEnd(state, control));
            if (checkpoints is not null) SaveCheckpoint();
        }
        finally
        {
            module.eval();
            // glibc keeps freed native buffers (tuned so steps stop re-faulting them); hand them back when the run ends
            Runtime.TorchRuntime.ReleaseFreeNativeMemory();
        }
        return new TrainingResult(state.Step, [.. state.History])
        {
            Evaluations = [.. state.Evaluations],
            BestStep = state.BestStep,
            BestMetric = state.BestMetric,
            BestMetricName = evaluate is null ? null : rule.Metric,
        };
    }

    /// <summary>Runs one epoch from batch <paramref name="skip"/>; returns whether training goes on to the next epoch.</summary>
    private bool RunEpoch(int epoch, long skip)
    {
        state.Epoch = epoch;
        state.BatchesInEpoch = skip;
        ForEachCallback(c => c.OnEpochBegin(state, control));
        int pending = 0;
        double lossSum = 0;
        bool any = false, interrupted = false;
        using (var batches = task.Batches(epoch, options.Seed, skip).GetEnumerator())
        {
            while (true)
            {
                if (pending == 0)
                {
                    if (cancellationToken.IsCancellationRequested) Cancel();
                    if (control.StopTraining || state.Step >= state.TotalSteps)
                    {
                        interrupted = true;
                        break;
                    }
                }
                if (!batches.MoveNext()) break;
                any = true;
                lossSum += Accumulate(batches.Current);
                pending++;
                state.BatchesInEpoch++;
                if (pending == options.GradientAccumulationSteps)
                {
                    Step(lossSum / pending);
                    pending = 0;
                    lossSum = 0;
                }
            }
        }
        if (pending > 0)
            Step(lossSum / pending);
        if (!any && skip == 0)
        {
            logger.LogWarning("Epoch {Epoch} had no batches; training ends.", epoch);
            return false;
        }
        // An epoch cut short by the step limit still counts as complete if no batch was left (and so gets its evaluation).
        bool complete = !interrupted || (task.BatchesPerEpoch is { } count && state.BatchesInEpoch >= count && !control.StopTraining);
        if (!complete) return false;
        if (options.EvaluateEverySteps == 0) Evaluate();
        ForEachCallback(c => c.OnEpochEnd(state, control));
        return !interrupted;
    }

    /// <summary>Forward and backward for one batch; gradients add up until the optimizer step.</summary>
    private double Accumulate(Batch batch)
    {
        using var scope = NewDisposeScope();
        using var owned = batch;
        var loss = task.Loss(owned);
        double value = loss.item<float>();
        if (!double.IsFinite(value))
            Diverged(value, "loss");
        // Without accumulation the division is one more op and autograd node per step for nothing.
        (options.GradientAccumulationSteps == 1 ? loss : loss / options.GradientAccumulationSteps).backward();
        return value;
    }

    private void Step(double loss)
    {
        double multiplier = schedule.Multiplier(state.Step, state.TotalSteps);
        if (!double.IsFinite(multiplier) || multiplier < 0)
            throw new InvalidOperationException($"{schedule.GetType().Name} returned the learning-rate multiplier {multiplier} at step {state.Step}; a schedule must return a finite, non-negative number.");
        int i = 0;
        foreach (var group in optimizer.ParamGroups)
            group.LearningRate = baseRates[i++] * multiplier;
        using (NewDisposeScope())
        {
            // Only the library's AdamW takes the sparse gradients of an embedding table (BagOfNgrams' default).
            if (optimizer is not Optimizers.AdamW)
                Gradients.Densify(parameters);
            if (options.MaxGradientNorm is { } maxNorm)
            {
                double norm = Gradients.ClipNorm(parameters, maxNorm);
                if (!double.IsFinite(norm))
                    Diverged(norm, "gradient norm");
            }
            optimizer.step();
            ZeroGradients();
        }

        state.Step++;
        // a trim every few hundred steps bounds heap fragmentation at a negligible cost per step
        if (state.Step % NativeTrimEverySteps == 0)
            Runtime.TorchRuntime.ReleaseFreeNativeMemory();
        state.Loss = loss;
        state.LearningRate = options.LearningRate * multiplier;
        var report = new TrainingProgress(state.Step, state.TotalSteps, state.Epoch, loss, state.LearningRate);
        state.History.Add(report);
        progress?.Report(report);
        ForEachCallback(c => c.OnStepEnd(state, control));
        if (options.EvaluateEverySteps > 0 && state.Step % options.EvaluateEverySteps == 0)
            Evaluate();
        if (checkpoints is not null && (control.SaveCheckpoint || (options.CheckpointEverySteps > 0 && state.Step % options.CheckpointEverySteps == 0)))
            SaveCheckpoint();
    }

    private void Evaluate()
    {
        if (evaluate is null) return;
        IReadOnlyDictionary<string, double> metrics;
        module.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            metrics = evaluate();
        }
        finally
        {
            module.train();
        }
        state.Evaluations.Add(new EvaluationRecord(state.Step, state.Epoch, metrics));
        state.LastEvaluation = metrics;
        logger.LogInformation("Step {Step} (epoch {Epoch}): {Metrics}", state.Step, state.Epoch, string.Join(", ", metrics.Select(m => $"{m.Key} = {m.Value:G5}")));
        TrackBest(metrics);
        ForEachCallback(c => c.OnEvaluate(state, control));
    }

    /// <summary>Moves <see cref="TrainerState.BestStep"/> to this step when the metric improved; the policies read it in <see cref="ITrainingCallback.OnEvaluate"/>.</summary>
    private void TrackBest(IReadOnlyDictionary<string, double> metrics)
    {
        if (!metrics.TryGetValue(rule.Metric, out double value))
            throw new InvalidOperationException($"TrainerOptions.MetricForBestModel is '{rule.Metric}', but the evaluation reports only: {string.Join(", ", metrics.Keys)}. Pick one of these.");
        if (!rule.Improves(value, state.BestMetric)) return;
        state.BestMetric = value;
        state.BestStep = state.Step;
    }

    private void SaveCheckpoint()
    {
        string where = RunCheckpoint.Save(checkpoints!, state, task, optimizer, callbacks.OfType<ICheckpointedCallback>());
        control.SaveCheckpoint = false;
        logger.LogInformation("Checkpoint of step {Step} written to {Directory}.", state.Step, where);
    }

    private void Cancel()
    {
        if (checkpoints is not null) SaveCheckpoint();
        logger.LogInformation("Training cancelled at step {Step}.", state.Step);
        throw new OperationCanceledException($"Training was cancelled at step {state.Step}{(checkpoints is null ? "" : "; a checkpoint was written")}.", cancellationToken);
    }

    private void Diverged(double value, string what)
    {
        // Drop the gradients of the bad batch (and any accumulated with it) so that no step applies them.
        ZeroGradients();
        throw new NonFiniteLossException(state.Step + 1, state.Epoch, value, what);
    }

    /// <summary>
    /// Drops the gradients (PyTorch's <c>set_to_none</c>): the next backward writes fresh ones instead
    /// of adding to zeros, which saves a pass per parameter and keeps a sparse gradient sparse, so a
    /// resumed run accumulates exactly as an uninterrupted one.
    /// </summary>
    private void ZeroGradients()
    {
        foreach (var parameter in parameters)
            parameter.grad = null;
    }

    private void ForEachCallback(Action<ITrainingCallback> call)
    {
        foreach (var callback in callbacks) call(callback);
    }

    private static int TotalSteps(ITrainingTask task, TrainerOptions options)
    {
        if (options.MaxSteps is { } max) return max;
        long batches = task.BatchesPerEpoch
            ?? throw new ArgumentException($"{task.GetType().Name} streams its data (BatchesPerEpoch is null), so set TrainerOptions.MaxSteps.", nameof(task));
        if (batches < 1)
            throw new ArgumentException($"{task.GetType().Name} has no batches (BatchesPerEpoch is {batches}).", nameof(task));
        long perEpoch = (batches + options.GradientAccumulationSteps - 1) / options.GradientAccumulationSteps;
        return (int)Math.Min(int.MaxValue, perEpoch * options.Epochs);
    }

    public void Dispose() => optimizer.Dispose();
}
