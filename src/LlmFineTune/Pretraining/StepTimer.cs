using LlmFineTune.Training;

namespace LlmFineTune.Pretraining;

/// <summary>Reads the clock at the end of every step, to time the steps after the first (which also warms up the allocator).</summary>
internal sealed class StepTimer(TimeProvider clock) : ITrainingCallback
{
    private readonly List<long> stamps = [];

    public void OnStepEnd(TrainerState state, TrainerControl control) => stamps.Add(clock.GetTimestamp());

    /// <summary>The mean time of the steps after the first.</summary>
    /// <exception cref="InvalidOperationException">Fewer than two steps ran.</exception>
    public double SecondsPerStep() =>
        stamps.Count < 2
            ? throw new InvalidOperationException($"Calibration needs at least two steps, and {stamps.Count} ran; the corpus may be too small for its batch size.")
            : clock.GetElapsedTime(stamps[0], stamps[^1]).TotalSeconds / (stamps.Count - 1);
}
