using LlmFineTune.Modeling.Serialization;
using Microsoft.Extensions.Options;

namespace LlmFineTune.Serving;

/// <summary>Checks a served classifier's options at start-up: the model directory holds a saved model, and the batching settings are in range.</summary>
internal sealed class TextClassifierOptionsValidator : IValidateOptions<TextClassifierOptions>
{
    public ValidateOptionsResult Validate(string? name, TextClassifierOptions o)
    {
        var errors = new ValidateOptionsResultBuilder();
        string which = $"text classifier '{name}'";
        if (string.IsNullOrWhiteSpace(o.ModelPath))
        {
            errors.AddError($"{which} needs the directory of a model saved by TextClassifier.Save (was empty).", nameof(o.ModelPath));
        }
        else
        {
            string path = Path.GetFullPath(o.ModelPath);
            if (!Directory.Exists(path))
                errors.AddError($"{which}: the model directory {path} does not exist. Save a model there with TextClassifier.Save or fix the path.", nameof(o.ModelPath));
            else
                foreach (string file in new[] { ModelDirectory.ConfigFileName, ModelDirectory.WeightsFileName }.Where(f => !File.Exists(Path.Combine(path, f))))
                    errors.AddError($"{which}: {path} has no {file}; is it a model directory saved by TextClassifier.Save?", nameof(o.ModelPath));
        }
        if (!ModelDirectoryReloader.IsValidInterval(o.ReloadInterval))
            errors.AddError($"{which}: must be {ModelDirectoryReloader.IntervalRange} (was {o.ReloadInterval}).", nameof(o.ReloadInterval));
        if (o.Batching is null)
            errors.AddError($"{which}: must not be null.", nameof(o.Batching));
        else
            foreach (string failure in MicroBatchingOptionsValidator.Instance.Validate(name, o.Batching).Failures ?? [])
                errors.AddError($"{which}: {failure.Replace("Property ", $"Property {nameof(o.Batching)}.", StringComparison.Ordinal)}");
        return errors.Build();
    }
}
