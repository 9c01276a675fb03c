using System.Globalization;
using LlmFineTune.Evaluation;
using LlmFineTune.Training;
using LlmFineTune.Training.Autotune;

namespace LlmFineTune.Cli;

/// <summary>The lines finetune prints besides the progress bar: validation metrics per epoch, the calibration (evaluate prints it too), autotune trials.</summary>
internal static class TrainingReports
{
    private static readonly string[] Shown = ["loss", "accuracy", "macroF1", "logLoss"];

    /// <summary>Prints the validation metrics after every evaluation.</summary>
    public static ITrainingCallback EpochMetrics(TextWriter output) => new EpochMetricsLine(output);

    /// <summary>Prints what the temperature did to <paramref name="set"/>'s log-loss and ECE (finetune: the validation set; evaluate: the test set).</summary>
    public static void Calibration(TextWriter output, TemperatureCalibration c, string set = "validation") =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calibration: temperature {c.Temperature:F3}; {set} log-loss {c.LogLossBefore:F4} -> {c.LogLossAfter:F4}, ECE {c.CalibrationErrorBefore:F4} -> {c.CalibrationErrorAfter:F4}"));

    public static IProgress<AutotuneProgress> AutotuneTrials(TextWriter output) => new SynchronousProgress<AutotuneProgress>(p =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"autotune trial {p.Trial.Number} [{p.Elapsed:hh\\:mm\\:ss}]: {p.Metric} {p.Trial.Score:F4} (best so far {p.Best.Score:F4}, trial {p.Best.Number}) with {p.Trial.Settings}")));

    private sealed class EpochMetricsLine(TextWriter output) : ITrainingCallback
    {
        public void OnEvaluate(TrainerState state, TrainerControl control)
        {
            var metrics = state.LastEvaluation!;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {state.Epoch} (step {state.Step}, lr {state.LearningRate:G4}): validation {string.Join(", ", Shown.Where(metrics.ContainsKey).Select(m => FormattableString.Invariant($"{m} {metrics[m]:F4}")))}"));
        }
    }

    /// <summary>Reports on the caller's thread.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
