namespace LlmFineTune.Training.Checkpoints;

/// <summary>
/// <c>training_state/trainer_state.json</c>: everything a resumed run needs besides tensors. Written
/// last, with the sizes of the tensor files, so a checkpoint missing it or with a short file is
/// recognisably incomplete.
/// </summary>
internal sealed record CheckpointManifest
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;
    public int Step { get; init; }
    public int Epoch { get; init; }
    public long BatchesInEpoch { get; init; }
    public int Seed { get; init; }
    public int TotalSteps { get; init; }
    public double? BestMetric { get; init; }
    public int? BestStep { get; init; }
    public int EvaluationsWithoutImprovement { get; init; }
    public bool HasBestWeights { get; init; }
    public List<TrainingProgress> History { get; init; } = [];
    public List<EvaluationRecord> Evaluations { get; init; } = [];
    public Dictionary<string, long> Files { get; init; } = [];
}
