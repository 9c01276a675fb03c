using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>Where a training run is; callbacks read it. The trainer updates it, so keep no copies.</summary>
public sealed class TrainerState
{
    internal TrainerState(int totalSteps, int seed, IReadOnlyList<IReadOnlyList<Parameter>> layerGroups, nn.Module module)
    {
        TotalSteps = totalSteps;
        Seed = seed;
        LayerGroups = layerGroups;
        Module = module;
    }

    /// <summary>Optimizer steps taken so far.</summary>
    public int Step { get; internal set; }

    /// <summary>Optimizer steps the run will take at most.</summary>
    public int TotalSteps { get; }

    /// <summary>The current epoch, from 1.</summary>
    public int Epoch { get; internal set; } = 1;

    /// <summary>Batches of the current epoch consumed so far (the data position a checkpoint saves).</summary>
    public long BatchesInEpoch { get; internal set; }

    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>The last step's training loss (mean over its accumulated batches), or NaN before the first step.</summary>
    public double Loss { get; internal set; } = double.NaN;

    /// <summary>The base learning rate times the schedule's multiplier at the last step.</summary>
    public double LearningRate { get; internal set; }

    /// <summary>The metrics of the last evaluation, or null before the first.</summary>
    public IReadOnlyDictionary<string, double>? LastEvaluation { get; internal set; }

    /// <summary>The best value of the chosen metric so far, or null before the first evaluation.</summary>
    public double? BestMetric { get; internal set; }

    /// <summary>The step of the best evaluation, or null before the first evaluation.</summary>
    public int? BestStep { get; internal set; }

    /// <summary>The model's parameter groups from the input side to the output side (head last), for freezing callbacks.</summary>
    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups { get; }

    /// <summary>The module being trained (the built-in best-weights callback copies its state).</summary>
    internal nn.Module Module { get; }

    /// <summary>Every step so far (restored on resume).</summary>
    internal List<TrainingProgress> History { get; } = [];

    /// <summary>Every evaluation so far, in order (restored on resume), so that policies derive their counters from it rather than from calls.</summary>
    internal List<EvaluationRecord> Evaluations { get; } = [];
}
