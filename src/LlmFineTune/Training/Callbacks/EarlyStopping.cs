using Microsoft.Extensions.Logging;

namespace LlmFineTune.Training.Callbacks;

/// <summary>Stops the run after <see cref="TrainerOptions.EarlyStoppingPatience"/> evaluations in a row without a new best <see cref="TrainerOptions.MetricForBestModel"/>; the trainer adds it from the options.</summary>
internal sealed class EarlyStopping(int patience, string metric, ILogger logger) : ITrainingCallback
{
    /// <summary>Whether this callback ended the run.</summary>
    public bool Stopped { get; private set; }

    public void OnEvaluate(TrainerState state, TrainerControl control)
    {
        // Counted from the history rather than kept, so a resumed run counts on from where the checkpoint left off.
        // Steps grow between evaluations, so the last evaluation at the best step is the best one.
        int best = state.Evaluations.FindLastIndex(e => e.Step == state.BestStep);
        int withoutImprovement = state.Evaluations.Count - 1 - best;
        if (withoutImprovement < patience) return;
        logger.LogInformation("Early stopping at step {Step}: {Metric} has not improved on {Best} (step {BestStep}) for {Count} evaluations.",
            state.Step, metric, state.BestMetric, state.BestStep, withoutImprovement);
        Stopped = true;
        control.StopTraining = true;
    }
}
