using LlmFineTune.Tokenization;

namespace LlmFineTune.DependencyInjection;

/// <summary>A tokenizer factory from a function: the built-in tokenizers and <c>AddTokenizer(name, function)</c>.</summary>
internal sealed class DelegateTokenizerFactory(Func<IEnumerable<string>, ITokenizer> create) : ITokenizerFactory
{
    public ITokenizer Create(IEnumerable<string> trainingTexts) => create(trainingTexts);
}
