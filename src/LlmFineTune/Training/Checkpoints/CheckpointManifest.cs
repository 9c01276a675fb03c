namespace LlmFineTune.Training.Checkpoints;

/// <summary>
/// <c>training_state/trainer_state.json</c>: everything a resumed run needs besides tensors. Written
/// last, with the sizes of every other file of the checkpoint, so a checkpoint missing it or with a
/// short file is recognisably incomplete.
/// </summary>
/// <remarks>
/// Format 1 kept the weights in <c>model.bin</c> only; format 2 makes the checkpoint a model directory
/// when the task can save one (<see cref="ModelDirectory"/>). Both are read.
/// </remarks>
internal sealed record CheckpointManifest
{
    public const int CurrentFormat = 2;
    public const int OldestReadableFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public int Step { get; init; }
    public int Epoch { get; init; }
    public long BatchesInEpoch { get; init; }
    public int Seed { get; init; }
    public int TotalSteps { get; init; }
    public double? BestMetric { get; init; }
    public int? BestStep { get; init; }

    /// <summary>Whether the weights are the checkpoint's model directory (<c>config.json</c>, <c>model.safetensors</c>, …) rather than <c>model.bin</c>.</summary>
    public bool ModelDirectory { get; init; }
    public List<TrainingProgress> History { get; init; } = [];
    public List<EvaluationRecord> Evaluations { get; init; } = [];

    /// <summary>Every other file of the checkpoint (relative, <c>/</c>-separated) and its size.</summary>
    public Dictionary<string, long> Files { get; init; } = [];
}
