namespace LlmFineTune.Modeling.Quantization;

/// <summary>How <see cref="ModelQuantizer"/> shrinks a model.</summary>
public sealed class QuantizationOptions
{
    /// <value>
    /// Rows of a bag model's embedding table to keep, those of largest L2 norm first (fastText's <c>-cutoff</c>); the others
    /// load as zeros. Default 0: keep every row that training moved beyond its initial range (L2 norm above 1/√dimension,
    /// the most a row drawn from the bag's uniform(-1/dim, 1/dim) initialisation can have).
    /// </value>
    public int KeepRows { get; set; }

    /// <value>
    /// Bits per value of each quantized weight matrix, 2 to 8 (values ±(2^(bits-1) - 1) times the row's scale). Default 7:
    /// a bert-mini then takes under a quarter of its float32 size (8 bits alone cannot, with the scales and tokenizer files
    /// on top) and its logits move about twice as far as at 8 bits (0.12 against 0.06 at most on support-tickets); 8 gives
    /// the closest copy.
    /// </value>
    public int Bits { get; set; } = 7;

    /// <value>Weight matrices with fewer elements are stored as 16-bit floats rather than 8-bit rows (small heads gain little and lose most), as are vectors. Default 4096.</value>
    public int MinElements { get; set; } = 4096;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (KeepRows < 0)
            throw new ArgumentOutOfRangeException(nameof(KeepRows), KeepRows, "KeepRows must be 0 (automatic) or positive.");
        if (Bits is < 2 or > 8)
            throw new ArgumentOutOfRangeException(nameof(Bits), Bits, "Bits must be between 2 and 8.");
        if (MinElements < 1)
            throw new ArgumentOutOfRangeException(nameof(MinElements), MinElements, "MinElements must be at least 1.");
    }
}
