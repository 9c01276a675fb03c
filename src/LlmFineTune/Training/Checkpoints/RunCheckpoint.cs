using LlmFineTune.Training.Callbacks;
using static TorchSharp.torch;

namespace LlmFineTune.Training.Checkpoints;

/// <summary>A training run's side of a checkpoint: what of its <see cref="TrainerState"/> a checkpoint keeps, and how a run continues from one.</summary>
internal static class RunCheckpoint
{
    /// <summary>Writes a checkpoint of the run at its current step.</summary>
    /// <returns>Where the store put it.</returns>
    public static string Save(ICheckpointStore store, TrainerState state, ITrainingTask task, optim.Optimizer optimizer, IEnumerable<ICheckpointedCallback> callbacks)
    {
        var manifest = new CheckpointManifest
        {
            Step = state.Step,
            Epoch = state.Epoch,
            BatchesInEpoch = state.BatchesInEpoch,
            Seed = state.Seed,
            TotalSteps = state.TotalSteps,
            BestMetric = state.BestMetric,
            BestStep = state.BestStep,
            History = [.. state.History],
            Evaluations = [.. state.Evaluations],
        };
        return store.Save(state.Step, directory => CheckpointFiles.Write(directory, task, optimizer, callbacks, manifest));
    }

    /// <summary>Loads a checkpoint into a fresh run's state, weights, optimizer and callbacks.</summary>
    /// <returns>The batches of its epoch already consumed.</returns>
    /// <exception cref="InvalidOperationException">The run's seed or length differs from the checkpoint's.</exception>
    public static long Resume(string directory, TrainerState state, ITrainingTask task, optim.Optimizer optimizer, IEnumerable<ICheckpointedCallback> callbacks)
    {
        var manifest = CheckpointFiles.ReadManifest(directory);
        if (manifest.Seed != state.Seed)
            throw new InvalidOperationException($"{directory}: the checkpoint was made with Seed {manifest.Seed} but TrainerOptions.Seed is {state.Seed}; resume with the same seed so the data order matches.");
        if (manifest.TotalSteps != state.TotalSteps)
            throw new InvalidOperationException($"{directory}: the checkpoint's run has {manifest.TotalSteps} steps but these options give {state.TotalSteps}; resume with the same Epochs, MaxSteps, BatchSize and GradientAccumulationSteps.");
        CheckpointFiles.Load(directory, manifest, task, optimizer, callbacks);
        state.Step = manifest.Step;
        state.Epoch = manifest.Epoch;
        state.BestMetric = manifest.BestMetric;
        state.BestStep = manifest.BestStep;
        state.LastEvaluation = manifest.Evaluations.LastOrDefault()?.Metrics;
        if (manifest.History.LastOrDefault() is { } last)
        {
            state.Loss = last.Loss;
            state.LearningRate = last.LearningRate;
        }
        state.History.AddRange(manifest.History);
        state.Evaluations.AddRange(manifest.Evaluations);
        return manifest.BatchesInEpoch;
    }
}
