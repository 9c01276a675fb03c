using LlmFineTune.Batching;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Wraps a task to note each batch's padded size as its loss is taken, and reads the clock at the end of every step:
/// the timed steps of a calibration, after <paramref name="warmupSteps"/> untimed ones that warm up the allocator.
/// </summary>
internal sealed class StepTimer(ITrainingTask task, TimeProvider clock, int warmupSteps) : ITrainingTask, ITrainingCallback
{
    private readonly List<long> stamps = [];
    private readonly List<long> tokens = [];

    public nn.Module Module => task.Module;

    public long? BatchesPerEpoch => task.BatchesPerEpoch;

    public IEnumerable<Batch> Batches(int epoch, int seed, long skip) => task.Batches(epoch, seed, skip);

    // a calibration runs without gradient accumulation, so the n-th loss taken is the n-th step's batch
    public Tensor Loss(Batch batch)
    {
        tokens.Add(batch.InputIds.numel());
        return task.Loss(batch);
    }

    public IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> LayerGroups() => task.LayerGroups();

    public void OnStepEnd(TrainerState state, TrainerControl control) => stamps.Add(clock.GetTimestamp());

    /// <summary>The padded tokens and seconds of each step after the warm-up.</summary>
    /// <exception cref="InvalidOperationException">No step ran after the warm-up.</exception>
    public IReadOnlyList<(double Tokens, double Seconds)> TimedSteps() =>
        stamps.Count <= warmupSteps
            ? throw new InvalidOperationException($"Calibration needs at least {warmupSteps + 1} steps, and {stamps.Count} ran; the corpus may be too small for its batch size.")
            : [.. Enumerable.Range(warmupSteps, stamps.Count - warmupSteps).Select(i => ((double)tokens[i], clock.GetElapsedTime(stamps[i - 1], stamps[i]).TotalSeconds))];
}
