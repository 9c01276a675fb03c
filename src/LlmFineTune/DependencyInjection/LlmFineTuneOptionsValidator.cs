using LlmFineTune.Modeling;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using Microsoft.Extensions.Options;

namespace LlmFineTune.DependencyInjection;

/// <summary>Checks <see cref="LlmFineTuneOptions"/>' own settings and that every name it uses is registered; the nested settings have validators of their own.</summary>
internal sealed class LlmFineTuneOptionsValidator(IServiceProvider services) : IValidateOptions<LlmFineTuneOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmFineTuneOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        CheckName<ITaskHeadFactory>(errors, o.TaskHead, nameof(o.TaskHead));
        CheckName<IOptimizerFactory>(errors, o.Optimizer, nameof(o.Optimizer));
        CheckName<ILearningRateSchedule>(errors, o.Schedule, nameof(o.Schedule));
        CheckName<IBackboneFactory>(errors, o.Backbone, nameof(o.Backbone));
        CheckName<ITokenizerFactory>(errors, o.EffectiveTokenizer(), nameof(o.Tokenizer));
        if (o.WarmupSteps < 0)
            errors.AddError($"must be 0 or more (was {o.WarmupSteps}).", nameof(o.WarmupSteps));
        if (o.BagDimension < 1)
            errors.AddError($"must be at least 1 (was {o.BagDimension}).", nameof(o.BagDimension));
        if (o.MaxLength < 1)
            errors.AddError($"must be at least 1 (was {o.MaxLength}).", nameof(o.MaxLength));
        if (o.MaxPositions < 1 || o.MaxPositions < o.MaxLength)
            errors.AddError($"must be at least 1 and at least MaxLength (was {o.MaxPositions}).", nameof(o.MaxPositions));
        return errors.Build();
    }

    private void CheckName<T>(ValidateOptionsResultBuilder errors, string? value, string option)
    {
        var names = NamedComponent.Names<T>(services);
        if (value is null || !names.Contains(value, StringComparer.Ordinal))
            errors.AddError($"'{value}' is not a registered {typeof(T).Name}; use one of {string.Join(", ", names)} or register it.", option);
    }
}
