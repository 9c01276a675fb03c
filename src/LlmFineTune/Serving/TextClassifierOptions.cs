namespace LlmFineTune.Serving;

/// <summary>One classifier served by <see cref="DependencyInjection.TextClassifierServiceCollectionExtensions.AddTextClassifier(Microsoft.Extensions.DependencyInjection.IServiceCollection, string, Action{TextClassifierOptions})"/>; named options, one set per classifier name.</summary>
public sealed class TextClassifierOptions
{
    /// <value>The model directory saved by <see cref="Modeling.TextClassifier.Save"/>; relative paths are taken from the current directory. Required.</value>
    public string ModelPath { get; set; } = "";

    /// <value>How concurrent requests are grouped into forward passes. Default: <see cref="MicroBatchingOptions"/>'s defaults.</value>
    public MicroBatchingOptions Batching { get; set; } = new();
}
