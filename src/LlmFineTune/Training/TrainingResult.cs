namespace LlmFineTune.Training;

/// <summary>What a training run did.</summary>
/// <param name="Steps">Optimizer steps taken (including those before a resume).</param>
/// <param name="History">One entry per step: its training loss and learning rate.</param>
public sealed record TrainingResult(int Steps, IReadOnlyList<TrainingProgress> History)
{
    /// <summary>The mean loss of the last tenth of the steps (at least one), a steadier figure than the last step's loss.</summary>
    public double FinalLoss => History.Count == 0 ? double.NaN : History.TakeLast(Math.Max(1, History.Count / 10)).Average(h => h.Loss);

    /// <summary>Every evaluation, in order.</summary>
    public IReadOnlyList<EvaluationRecord> Evaluations { get; init; } = [];

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>The step of the best evaluation, or null without evaluations.</summary>
    public int? BestStep { get; init; }

    /// <summary>The best value of <see cref="TrainerOptions.MetricForBestModel"/>, or null without evaluations.</summary>
    public double? BestMetric { get; init; }

    /// <summary>The metric that decided <see cref="BestStep"/>: <see cref="TrainerOptions.MetricForBestModel"/>, or what its default meant for this run (<c>macroF1</c> for a classifier, <c>loss</c> otherwise); null without evaluations.</summary>
    public string? BestMetricName { get; init; }

    /// <summary>The temperature fitted on the validation set after training (<see cref="TrainerOptions.CalibrateTemperature"/>), with log-loss and calibration error before and after; null when none was fitted.</summary>
    public Evaluation.TemperatureCalibration? Calibration { get; init; }
}
