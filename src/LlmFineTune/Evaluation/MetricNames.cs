namespace LlmFineTune.Evaluation;

/// <summary>The names <see cref="EvaluationReport.GetMetric"/> accepts; they are also the report's JSON field names.</summary>
internal static class MetricNames
{
    public const string Accuracy = "accuracy";
    public const string BalancedAccuracy = "balancedAccuracy";
    public const string MacroPrecision = "macroPrecision";
    public const string MacroRecall = "macroRecall";
    public const string MacroF1 = "macroF1";
    public const string MicroPrecision = "microPrecision";
    public const string MicroRecall = "microRecall";
    public const string MicroF1 = "microF1";
    public const string WeightedPrecision = "weightedPrecision";
    public const string WeightedRecall = "weightedRecall";
    public const string WeightedF1 = "weightedF1";
    public const string LogLoss = "logLoss";
    public const string BrierScore = "brierScore";
    public const string RocAuc = "rocAuc";
    public const string TopKAccuracy = "topKAccuracy";
    public const string ExpectedCalibrationError = "expectedCalibrationError";
    public const string SubsetAccuracy = "subsetAccuracy";
    public const string HammingLoss = "hammingLoss";
    public const string Mse = "mse";
    public const string Mae = "mae";
    public const string R2 = "r2";

    /// <summary>Metrics for which a smaller value is better.</summary>
    public static readonly IReadOnlySet<string> LowerIsBetter = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        LogLoss, BrierScore, ExpectedCalibrationError, HammingLoss, Mse, Mae,
    };
}
