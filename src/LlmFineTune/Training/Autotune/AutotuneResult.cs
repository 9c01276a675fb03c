using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Serialization;

namespace LlmFineTune.Training.Autotune;

/// <summary>What <see cref="Autotuner.Tune"/> found: the best trial's settings and its trained, calibrated model.</summary>
public sealed class AutotuneResult : IDisposable
{
    internal AutotuneResult(TextClassifier model, AutotuneTrial best, IReadOnlyList<AutotuneTrial> trials, string metric)
    {
        Model = model;
        Best = best;
        Trials = trials;
        Metric = metric;
    }

    /// <summary>The best trial's model: trained with <see cref="Best"/>'s settings, its best epoch restored, its temperature fitted on the validation set. Disposed with this result.</summary>
    public TextClassifier Model { get; }

    /// <summary>The best trial.</summary>
    public AutotuneTrial Best { get; }

    /// <summary>Every finished trial, in order.</summary>
    public IReadOnlyList<AutotuneTrial> Trials { get; }

    /// <summary>The validation metric that was optimised.</summary>
    public string Metric { get; }

    /// <summary>Records the chosen settings in a saved model's <c>config.json</c>, as <c>llmfinetune.autotune</c>.</summary>
    /// <param name="modelDirectory">A directory written by <see cref="TextClassifier.Save"/>.</param>
    /// <exception cref="FileNotFoundException">The directory has no <c>config.json</c>.</exception>
    /// <exception cref="InvalidDataException"><c>config.json</c> is malformed.</exception>
    public void SaveSettings(string modelDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelDirectory);
        string path = Path.Combine(modelDirectory, ModelDirectory.ConfigFileName);
        var config = JsonFiles.ReadObject(path);
        if (config["llmfinetune"] is not JsonObject section)
            config["llmfinetune"] = section = [];
        var settings = Best.Settings.ToJson();
        settings["metric"] = Metric;
        settings["validation_score"] = Best.Score;
        settings["best_epoch"] = Best.BestEpoch;
        settings["trials"] = Trials.Count;
        section["autotune"] = settings;
        AtomicFile.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Disposes <see cref="Model"/>.</summary>
    public void Dispose() => Model.Dispose();
}
