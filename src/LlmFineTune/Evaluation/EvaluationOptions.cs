namespace LlmFineTune.Evaluation;

/// <summary>How <see cref="Evaluator"/> measures a model.</summary>
public sealed class EvaluationOptions
{
    /// <value>Texts per forward pass. Default 64.</value>
    public int BatchSize { get; set; } = 64;

    /// <value>What to do with a test label the model does not know. Default <see cref="UnknownLabelHandling.Throw"/>.</value>
    public UnknownLabelHandling UnknownLabels { get; set; } = UnknownLabelHandling.Throw;

    /// <value>Bootstrap resamples for the confidence intervals; 0 turns intervals off (worth doing for evaluations inside a training loop). Default 1000.</value>
    public int BootstrapSamples { get; set; } = 1000;

    /// <value>Coverage of the confidence intervals, in (0, 1). Default 0.95.</value>
    public double ConfidenceLevel { get; set; } = 0.95;

    /// <value>Seed of the bootstrap resampling, so intervals are reproducible. Default 0.</value>
    public int Seed { get; set; }

    /// <value>k of the top-k accuracy (capped at the number of classes). Default 3.</value>
    public int TopK { get; set; } = 3;

    /// <value>Equal-width confidence bins of the reliability diagram and the expected calibration error. Default 10.</value>
    public int CalibrationBins { get; set; } = 10;

    /// <value>Multi-label: the probability at or above which a label is predicted. Default 0.5.</value>
    public double Threshold { get; set; } = 0.5;

    /// <value>Multi-label: per-label thresholds by label name, overriding <see cref="Threshold"/>. Default none.</value>
    public IDictionary<string, double> Thresholds { get; set; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <value>Keep each example's prediction in the report (needed for <see cref="Evaluator.Compare"/>). Default true.</value>
    public bool KeepExamples { get; set; } = true;

    /// <summary>Checks every setting, as DI does at start-up.</summary>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">A setting is invalid; the message names each one.</exception>
    public void Validate() => Validation.OptionsValidation.ThrowIfInvalid(EvaluationOptionsValidator.Instance, this);
}
