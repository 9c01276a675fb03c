namespace LlmFineTune.Evaluation;

/// <summary>
/// A temperature and what it does to a labeled set's probabilities: the validation set the trainer fitted it on
/// (<c>TrainingResult.Calibration</c>), or a test set (<see cref="EvaluationReport.TemperatureScaling"/>). The argmax,
/// and so accuracy, is unchanged.
/// </summary>
/// <param name="Temperature">The temperature.</param>
/// <param name="LogLossBefore">Log-loss at temperature 1 (NaN when the task reports none).</param>
/// <param name="LogLossAfter">Log-loss at <paramref name="Temperature"/>.</param>
/// <param name="CalibrationErrorBefore">Expected calibration error at temperature 1 (NaN when the task reports none).</param>
/// <param name="CalibrationErrorAfter">Expected calibration error at <paramref name="Temperature"/>.</param>
public sealed record TemperatureCalibration(double Temperature, double LogLossBefore, double LogLossAfter, double CalibrationErrorBefore, double CalibrationErrorAfter);
