using LlmFineTune.Parts;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>How a tokenizer type loads from a model directory (it saves its own files with <see cref="ITokenizer.Save"/>).</summary>
/// <param name="Name">The <c>llmfinetune.tokenizer</c> value.</param>
/// <param name="Type">The tokenizer's exact type.</param>
/// <param name="Load">Reads the tokenizer from the directory.</param>
internal sealed record TokenizerPart(string Name, Type Type, Func<string, ITokenizer> Load) : IPart;
