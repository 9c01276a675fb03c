using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.DependencyInjection;

/// <summary>Creates a task head once the backbone's width and the labels are known; register yours with <see cref="LlmFineTuneServiceCollectionExtensions.AddTaskHead{T}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string)"/>.</summary>
public interface ITaskHeadFactory
{
    /// <summary>Creates a head.</summary>
    /// <param name="hiddenSize">The backbone's width.</param>
    /// <param name="labels">The classes, in output order.</param>
    /// <returns>A new head (a TorchSharp module); the classifier that receives it disposes it.</returns>
    ITaskHead Create(int hiddenSize, LabelMap labels);
}
