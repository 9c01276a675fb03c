namespace LlmFineTune.Pretraining;

/// <summary>What <see cref="WordVectorPretraining.Run"/> did.</summary>
/// <param name="Words">Words in the corpus (one pass).</param>
/// <param name="Epochs">Passes made.</param>
/// <param name="FirstEpochLoss">Mean negative-sampling loss per prediction in the first pass.</param>
/// <param name="LastEpochLoss">The same in the last pass; lower when the vectors learned.</param>
public sealed record WordVectorResult(long Words, int Epochs, double FirstEpochLoss, double LastEpochLoss);
