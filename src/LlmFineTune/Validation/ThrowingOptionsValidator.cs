using Microsoft.Extensions.Options;

namespace LlmFineTune.Validation;

/// <summary>Turns an options type's own <c>Validate()</c> (which throws an argument exception naming the option) into an <see cref="IValidateOptions{TOptions}"/>, so DI reports the same problem at start-up.</summary>
internal sealed class ThrowingOptionsValidator<T>(Action<T> validate) : IValidateOptions<T>
    where T : class
{
    public ValidateOptionsResult Validate(string? name, T options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            // ArgumentException appends "(Parameter 'x')" and the actual value on further lines; the option name goes in front instead.
            string message = e.Message.Split('\n')[0];
            if (e.ParamName is { } parameter)
                message = message.Replace($" (Parameter '{parameter}')", "", StringComparison.Ordinal);
            var errors = new ValidateOptionsResultBuilder();
            errors.AddError(message.Trim(), e.ParamName);
            return errors.Build();
        }
    }
}
