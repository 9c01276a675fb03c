namespace LlmFineTune.Evaluation;

/// <summary>A fitted temperature and what it did to the validation set's probabilities (the argmax, and so accuracy, is unchanged).</summary>
/// <param name="Temperature">The fitted temperature.</param>
/// <param name="LogLossBefore">Validation log-loss at temperature 1 (NaN when the task reports none).</param>
/// <param name="LogLossAfter">Validation log-loss at the fitted temperature.</param>
/// <param name="CalibrationErrorBefore">Expected calibration error at temperature 1 (NaN when the task reports none).</param>
/// <param name="CalibrationErrorAfter">Expected calibration error at the fitted temperature.</param>
public sealed record TemperatureCalibration(double Temperature, double LogLossBefore, double LogLossAfter, double CalibrationErrorBefore, double CalibrationErrorAfter);
