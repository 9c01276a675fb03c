namespace LlmFineTune.Pretraining;

/// <summary>
/// Settings of ELECTRA's replaced-token detection (<see cref="ReplacedTokenDetection"/>): the generator's size, the weight of the
/// discriminator's loss and how the generator's inputs are masked. The defaults are the ELECTRA paper's (Clark et al., ICLR 2020).
/// </summary>
public sealed class ReplacedTokenDetectionOptions
{
    /// <value>
    /// The generator's width as a share of the discriminator's hidden size (its attention heads keep the discriminator's head width;
    /// its depth is the discriminator's). Default 0.25, the paper's best generator size ("1/4 to 1/2 of the discriminator").
    /// </value>
    public double GeneratorSizeFraction { get; set; } = 0.25;

    /// <value>λ in <c>loss = generator MLM loss + λ · discriminator loss</c>. Default 50, the paper's.</value>
    public double DiscriminatorWeight { get; set; } = 50;

    /// <value>
    /// How the generator's input is masked. Default ELECTRA's: 15 % of the tokens, 85 % of them replaced by <c>[MASK]</c> and 15 %
    /// left as they are (no random tokens: the generator supplies the replacements).
    /// </value>
    public MaskingOptions Masking { get; set; } = new() { Probability = 0.15, MaskFraction = 0.85, RandomFraction = 0 };

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!(GeneratorSizeFraction > 0 && GeneratorSizeFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(GeneratorSizeFraction), GeneratorSizeFraction, $"{nameof(GeneratorSizeFraction)} must be in (0, 1].");
        if (!(DiscriminatorWeight > 0 && double.IsFinite(DiscriminatorWeight)))
            throw new ArgumentOutOfRangeException(nameof(DiscriminatorWeight), DiscriminatorWeight, $"{nameof(DiscriminatorWeight)} must be a positive number.");
        ArgumentNullException.ThrowIfNull(Masking, nameof(Masking));
        Masking.Validate();
    }
}
