using Microsoft.Extensions.Options;

namespace LlmFineTune.Modeling.Heads;

/// <summary>Checks <see cref="HeadOptions"/>; heads run it on construction, DI on start.</summary>
internal sealed class HeadOptionsValidator : IValidateOptions<HeadOptions>
{
    public static HeadOptionsValidator Instance { get; } = new();

    public ValidateOptionsResult Validate(string? name, HeadOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        if (!Enum.IsDefined(o.Pooling))
            errors.AddError($"must be one of {string.Join(", ", Enum.GetNames<PoolingMode>())} (was {(int)o.Pooling}).", nameof(o.Pooling));
        if (o.HiddenSize < 0)
            errors.AddError($"must be 0 (linear head) or a positive width (was {o.HiddenSize}).", nameof(o.HiddenSize));
        if (!(o.Dropout >= 0 && o.Dropout < 1))
            errors.AddError($"must be in [0, 1) (was {o.Dropout}).", nameof(o.Dropout));
        if (!(o.LabelSmoothing >= 0 && o.LabelSmoothing < 1))
            errors.AddError($"must be in [0, 1) (was {o.LabelSmoothing}).", nameof(o.LabelSmoothing));
        if (o.ClassWeights is { } weights && weights.Any(w => !(w > 0) || !float.IsFinite(w)))
            errors.AddError($"every weight must be a positive finite number (was [{string.Join(", ", weights)}]).", nameof(o.ClassWeights));
        if (o.Thresholds is { } thresholds && thresholds.Any(t => !(t > 0 && t < 1)))
            errors.AddError($"every threshold must be in (0, 1) (was [{string.Join(", ", thresholds)}]).", nameof(o.Thresholds));
        if (!Enum.IsDefined(o.RegressionLoss))
            errors.AddError($"must be one of {string.Join(", ", Enum.GetNames<RegressionLoss>())} (was {(int)o.RegressionLoss}).", nameof(o.RegressionLoss));
        if (!(o.HuberDelta > 0) || double.IsInfinity(o.HuberDelta))
            errors.AddError($"must be a positive finite number (was {o.HuberDelta}).", nameof(o.HuberDelta));
        return errors.Build();
    }
}
