namespace LlmFineTune.Training;

/// <summary>What a training run did.</summary>
/// <param name="Steps">Optimizer steps taken.</param>
/// <param name="History">One entry per step.</param>
public sealed record TrainingResult(int Steps, IReadOnlyList<TrainingProgress> History)
{
    /// <summary>The mean loss of the last tenth of the steps (at least one), a steadier figure than the last step's loss.</summary>
    public double FinalLoss => History.Count == 0 ? double.NaN : History.TakeLast(Math.Max(1, History.Count / 10)).Average(h => h.Loss);
}
