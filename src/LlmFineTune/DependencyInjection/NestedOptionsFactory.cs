using Microsoft.Extensions.Options;

namespace LlmFineTune.DependencyInjection;

/// <summary>
/// Serves a part of <see cref="LlmFineTuneOptions"/> (for example its <see cref="LlmFineTuneOptions.Trainer"/>) as options of its own:
/// the root is configured (or bound) as usual, then the part's own configure actions and validators apply to it.
/// </summary>
/// <remarks>The root is configured here without its validators, so that a problem of the root is reported once, by the root, and not again by every part.</remarks>
internal sealed class NestedOptionsFactory<T>(
    OptionsFactory<LlmFineTuneOptions> root,
    Func<LlmFineTuneOptions, T> part,
    IEnumerable<IConfigureOptions<T>> setups,
    IEnumerable<IPostConfigureOptions<T>> postConfigures,
    IEnumerable<IValidateOptions<T>> validations)
    : OptionsFactory<T>(setups, postConfigures, validations)
    where T : class
{
    protected override T CreateInstance(string name) =>
        part(root.Create(name)) ?? throw new OptionsValidationException(name, typeof(T), [$"The {typeof(T).Name} part of LlmFineTuneOptions must not be null."]);
}
