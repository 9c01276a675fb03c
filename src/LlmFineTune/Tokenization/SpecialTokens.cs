namespace LlmFineTune.Tokenization;

/// <summary>The ids of a tokenizer's special tokens; null where the tokenizer has no such token.</summary>
/// <param name="Pad">Padding.</param>
/// <param name="Unknown">Out-of-vocabulary pieces (<c>[UNK]</c>).</param>
/// <param name="Classification">Start of sequence for encoders (<c>[CLS]</c>).</param>
/// <param name="Separator">End of sequence for encoders (<c>[SEP]</c>).</param>
/// <param name="Mask">The masked-LM placeholder (<c>[MASK]</c>).</param>
/// <param name="EndOfText">End of text for causal models (<c>&lt;|endoftext|&gt;</c>).</param>
public sealed record SpecialTokens(int Pad, int? Unknown = null, int? Classification = null, int? Separator = null, int? Mask = null, int? EndOfText = null);
