namespace LlmFineTune.Serving;

/// <summary>One classifier served by <see cref="DependencyInjection.TextClassifierServiceCollectionExtensions.AddTextClassifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{TextClassifierOptions})"/>; named options, one set per classifier name.</summary>
public sealed class TextClassifierOptions
{
    /// <value>The model directory saved by <see cref="Modeling.TextClassifier.Save"/>; relative paths are taken from the current directory. Required.</value>
    public string ModelPath { get; set; } = "";

    /// <value>How concurrent requests are grouped into forward passes, how many may wait, and for how long. Default: <see cref="MicroBatchingOptions"/>'s defaults.</value>
    public MicroBatchingOptions Batching { get; set; } = new();

    /// <value>
    /// Whether a new model saved to <see cref="ModelPath"/> (its <c>config.json</c> or <c>model.safetensors</c> changes) is loaded
    /// and served without a restart: requests in flight finish on the old model, which is then disposed. Default false.
    /// </value>
    public bool ReloadOnChange { get; set; }

    /// <value>How often the model directory is checked when <see cref="ReloadOnChange"/> is set. Default 2 seconds.</value>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(2);
}
