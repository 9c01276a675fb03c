using Microsoft.Extensions.Options;

namespace LlmFineTune.Evaluation;

/// <summary>Checks <see cref="EvaluationOptions"/>: every problem at once, each naming its option; run by DI at start-up and by <see cref="EvaluationOptions.Validate"/>.</summary>
internal sealed class EvaluationOptionsValidator : IValidateOptions<EvaluationOptions>
{
    public static EvaluationOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, EvaluationOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (o.BatchSize < 1)
            errors.AddError($"must be at least 1 (was {o.BatchSize}).", nameof(o.BatchSize));
        if (o.BootstrapSamples < 0)
            errors.AddError($"must be 0 (no intervals) or more (was {o.BootstrapSamples}).", nameof(o.BootstrapSamples));
        if (!(o.ConfidenceLevel > 0 && o.ConfidenceLevel < 1))
            errors.AddError(FormattableString.Invariant($"must lie strictly between 0 and 1, for example 0.95 (was {o.ConfidenceLevel})."), nameof(o.ConfidenceLevel));
        if (o.TopK < 1)
            errors.AddError($"must be at least 1 (was {o.TopK}).", nameof(o.TopK));
        if (o.CalibrationBins < 1)
            errors.AddError($"must be at least 1 (was {o.CalibrationBins}).", nameof(o.CalibrationBins));
        if (!(o.Threshold >= 0 && o.Threshold <= 1))
            errors.AddError(FormattableString.Invariant($"must lie in [0, 1] (was {o.Threshold})."), nameof(o.Threshold));
        if (o.Thresholds is null)
            errors.AddError("must not be null.", nameof(o.Thresholds));
        else
            foreach (var (label, threshold) in o.Thresholds.Where(t => !(t.Value >= 0 && t.Value <= 1)))
                errors.AddError(FormattableString.Invariant($"Thresholds['{label}'] must lie in [0, 1] (was {threshold})."), nameof(o.Thresholds));
        return errors.Build();
    }
}
