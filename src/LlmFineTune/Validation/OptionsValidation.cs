using Microsoft.Extensions.Options;

namespace LlmFineTune.Validation;

/// <summary>Runs an options validator outside DI, with the same messages DI would give.</summary>
internal static class OptionsValidation
{
    /// <exception cref="OptionsValidationException">An option is invalid; the message names each one.</exception>
    public static T ThrowIfInvalid<T>(IValidateOptions<T> validator, T options)
        where T : class
    {
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed)
            throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures ?? [result.FailureMessage]);
        return options;
    }

    /// <summary>The exception for one invalid option, worded as the validators word it.</summary>
    public static OptionsValidationException Invalid<T>(string property, string problem) =>
        new(Options.DefaultName, typeof(T), [$"Property {property}: {problem}"]);
}
