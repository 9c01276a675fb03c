using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;

namespace LlmFineTune.DependencyInjection;

/// <summary>Creates a freshly initialised backbone sized for a tokenizer; register yours with <see cref="LlmFineTuneServiceCollectionExtensions.AddBackbone{T}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string)"/>.</summary>
public interface IBackboneFactory
{
    /// <summary>Creates a backbone.</summary>
    /// <param name="tokenizer">The tokenizer whose ids it embeds (vocabulary size, padding id).</param>
    /// <returns>A new backbone (a TorchSharp module); the classifier that receives it disposes it.</returns>
    IBackbone Create(ITokenizer tokenizer);
}
