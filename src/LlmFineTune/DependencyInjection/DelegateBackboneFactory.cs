using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;

namespace LlmFineTune.DependencyInjection;

/// <summary>A backbone factory from a function: the built-in backbones and <c>AddBackbone(name, function)</c>.</summary>
internal sealed class DelegateBackboneFactory(Func<ITokenizer, IBackbone> create) : IBackboneFactory
{
    public IBackbone Create(ITokenizer tokenizer) => create(tokenizer);
}
