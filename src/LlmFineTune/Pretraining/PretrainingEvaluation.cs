namespace LlmFineTune.Pretraining;

/// <summary>The objective's loss on held-out documents.</summary>
/// <param name="Loss">Mean cross-entropy per predicted token (nats).</param>
/// <param name="Perplexity">exp(<paramref name="Loss"/>).</param>
/// <param name="PredictedTokens">How many tokens the mean is over.</param>
public sealed record PretrainingEvaluation(double Loss, double Perplexity, long PredictedTokens);
