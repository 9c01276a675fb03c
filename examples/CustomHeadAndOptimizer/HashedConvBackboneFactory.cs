using LlmFineTune.DependencyInjection;
using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Examples.CustomHeadAndOptimizer;

/// <summary>Builds a fresh <see cref="HashedConvBackbone"/> for a tokenizer: what <c>AddBackbone</c> needs to create new models by name.</summary>
internal sealed class HashedConvBackboneFactory : IBackboneFactory
{
    public IBackbone Create(ITokenizer tokenizer) => new HashedConvBackbone(new HashedConvBackboneOptions(tokenizer.VocabularySize, Dimension: 32));
}
