namespace LlmFineTune.Modeling.Quantization;

/// <summary>What <see cref="ModelQuantizer.Save"/> wrote.</summary>
/// <param name="QuantizedMatrices">Weight matrices stored in 8 bits.</param>
/// <param name="KeptRows">Embedding rows of a bag model kept (equal to <paramref name="TotalRows"/> for other models).</param>
/// <param name="TotalRows">Embedding rows of a bag model before pruning (0 for other models).</param>
/// <param name="DirectoryBytes">The size of the written model directory, in bytes.</param>
public sealed record QuantizationResult(int QuantizedMatrices, long KeptRows, long TotalRows, long DirectoryBytes);
