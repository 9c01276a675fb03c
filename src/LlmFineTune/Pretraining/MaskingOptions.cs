namespace LlmFineTune.Pretraining;

/// <summary>How masked-LM pretraining chooses and corrupts tokens (BERT's recipe by default).</summary>
public sealed class MaskingOptions
{
    /// <value>Share of eligible tokens (or words) chosen for prediction. Default 0.15.</value>
    public double Probability { get; set; } = 0.15;

    /// <value>Share of chosen tokens replaced by <c>[MASK]</c>. Default 0.8.</value>
    public double MaskFraction { get; set; } = 0.8;

    /// <value>Share of chosen tokens replaced by a random token; the rest stay unchanged. Default 0.1.</value>
    public double RandomFraction { get; set; } = 0.1;

    /// <value>Choose whole words: a word's continuation pieces (<c>##</c>) are chosen with its first piece. Default false.</value>
    public bool WholeWordMasking { get; set; }

    /// <summary>Checks the settings.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A share is outside its range; the message names the option.</exception>
    public void Validate()
    {
        if (!(Probability > 0 && Probability <= 1))
            throw new ArgumentOutOfRangeException(nameof(Probability), Probability, $"{nameof(Probability)} must be in (0, 1].");
        if (!(MaskFraction >= 0 && RandomFraction >= 0 && MaskFraction + RandomFraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(MaskFraction), MaskFraction, $"{nameof(MaskFraction)} and {nameof(RandomFraction)} must be non-negative and sum to at most 1 (were {MaskFraction} and {RandomFraction}).");
    }
}
