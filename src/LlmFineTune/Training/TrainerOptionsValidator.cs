using Microsoft.Extensions.Options;

namespace LlmFineTune.Training;

/// <summary>Checks <see cref="TrainerOptions"/>; the trainer runs it on construction and DI on start.</summary>
internal sealed class TrainerOptionsValidator : IValidateOptions<TrainerOptions>
{
    public static TrainerOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, TrainerOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (o.Epochs < 1)
            errors.AddError($"must be at least 1 (was {o.Epochs}).", nameof(o.Epochs));
        if (o.MaxSteps is < 1)
            errors.AddError($"must be at least 1, or null to train by epochs (was {o.MaxSteps}).", nameof(o.MaxSteps));
        if (o.BatchSize < 1)
            errors.AddError($"must be at least 1 (was {o.BatchSize}).", nameof(o.BatchSize));
        if (o.PrefetchBatches is < 0 or > 64)
            errors.AddError($"must be between 0 and 64 (was {o.PrefetchBatches}).", nameof(o.PrefetchBatches));
        if (o.GradientAccumulationSteps < 1)
            errors.AddError($"must be at least 1 (was {o.GradientAccumulationSteps}).", nameof(o.GradientAccumulationSteps));
        if (!(o.LearningRate > 0) || double.IsInfinity(o.LearningRate))
            errors.AddError($"must be a positive finite number (was {o.LearningRate}).", nameof(o.LearningRate));
        if (!(o.LayerLearningRateDecay >= 1) || double.IsInfinity(o.LayerLearningRateDecay))
            errors.AddError($"must be a finite number of at least 1; 1 turns discriminative learning rates off (was {o.LayerLearningRateDecay}).", nameof(o.LayerLearningRateDecay));
        if (o.MaxGradientNorm is { } norm && (!(norm > 0) || double.IsInfinity(norm)))
            errors.AddError($"must be a positive finite number, or null for no clipping (was {norm}).", nameof(o.MaxGradientNorm));
        if (o.EvaluateEverySteps < 0)
            errors.AddError($"must be 0 (each epoch) or a positive step count (was {o.EvaluateEverySteps}).", nameof(o.EvaluateEverySteps));
        if (o.MetricForBestModel is { } metric && string.IsNullOrWhiteSpace(metric))
            errors.AddError("must name an evaluation metric, for example 'loss' or 'macroF1', or be null for the task's default.", nameof(o.MetricForBestModel));
        if (o.EarlyStoppingPatience < 0)
            errors.AddError($"must be 0 (off) or a positive number of evaluations (was {o.EarlyStoppingPatience}).", nameof(o.EarlyStoppingPatience));
        if (o.CheckpointEverySteps < 0)
            errors.AddError($"must be 0 (off) or a positive step count (was {o.CheckpointEverySteps}).", nameof(o.CheckpointEverySteps));
        if (!(o.ValidationFraction >= 0 && o.ValidationFraction <= 0.5))
            errors.AddError($"must be between 0 (no holdout) and 0.5 (was {o.ValidationFraction}).", nameof(o.ValidationFraction));
        if (o.ResumeFrom is { } resume && string.IsNullOrWhiteSpace(resume))
            errors.AddError($"must be a checkpoint directory, '{TrainerOptions.Latest}', or null (was empty).", nameof(o.ResumeFrom));
        return errors.Build();
    }
}
