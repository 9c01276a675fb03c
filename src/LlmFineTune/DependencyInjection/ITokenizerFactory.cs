using LlmFineTune.Tokenization;

namespace LlmFineTune.DependencyInjection;

/// <summary>Creates a tokenizer for a new model, learning a vocabulary from training texts where it needs one; register yours with <see cref="LlmFineTuneServiceCollectionExtensions.AddTokenizer{T}(Microsoft.Extensions.DependencyInjection.IServiceCollection, string)"/>.</summary>
public interface ITokenizerFactory
{
    /// <summary>Creates a tokenizer.</summary>
    /// <param name="trainingTexts">Texts to learn a vocabulary from (ignored by tokenizers without one).</param>
    /// <returns>The tokenizer.</returns>
    ITokenizer Create(IEnumerable<string> trainingTexts);
}
