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

    /// <value>Weight matrices with fewer elements stay 32-bit (small heads gain little and lose most). Default 4096.</value>
    public int MinElements { get; set; } = 4096;

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (KeepRows < 0)
            throw new ArgumentOutOfRangeException(nameof(KeepRows), KeepRows, "KeepRows must be 0 (automatic) or positive.");
        if (MinElements < 1)
            throw new ArgumentOutOfRangeException(nameof(MinElements), MinElements, "MinElements must be at least 1.");
    }
}
