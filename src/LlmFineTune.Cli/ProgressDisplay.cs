using System.Diagnostics;
using System.Globalization;
using LlmFineTune.Training;
using Spectre.Console;

namespace LlmFineTune.Cli;

/// <summary>Shows training progress: a live bar with rate, loss and ETA on a terminal; a plain log line every few seconds otherwise.</summary>
internal static class ProgressDisplay
{
    private static readonly TimeSpan LogEvery = TimeSpan.FromSeconds(5);

    public static T Run<T>(CliContext cli, string title, Func<IProgress<TrainingProgress>, T> work)
    {
        if (!cli.Interactive)
            return work(new PlainLog(cli.Output, title));
        return cli.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask(Markup.Escape(title), autoStart: true, maxValue: 1);
                var meter = new Meter();
                return work(new SynchronousProgress(p =>
                {
                    meter.Observe(p);
                    task.MaxValue = p.TotalSteps;
                    task.Value = p.Step;
                    task.Description = Markup.Escape($"{title}  epoch {p.Epoch}  loss {meter.Loss:F3}  {meter.Rate:F1} steps/s");
                }));
            });
    }

    /// <summary>Reports on the trainer's thread, so a report is shown before the next step starts.</summary>
    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>Smoothed loss and step rate.</summary>
    private sealed class Meter
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private int firstStep = -1;

        public double Loss { get; private set; } = double.NaN;

        public double Rate { get; private set; }

        public TimeSpan Elapsed => clock.Elapsed;

        public void Observe(TrainingProgress p)
        {
            // The loss of one batch is noisy; an exponential average shows the trend.
            Loss = double.IsNaN(Loss) ? p.Loss : 0.9 * Loss + 0.1 * p.Loss;
            if (firstStep < 0) firstStep = p.Step - 1;
            double seconds = clock.Elapsed.TotalSeconds;
            Rate = seconds > 0 ? (p.Step - firstStep) / seconds : 0;
        }

        public TimeSpan Remaining(TrainingProgress p) => Rate > 0 ? TimeSpan.FromSeconds((p.TotalSteps - p.Step) / Rate) : TimeSpan.Zero;
    }

    private sealed class PlainLog(TextWriter output, string title) : IProgress<TrainingProgress>
    {
        private readonly Meter meter = new();
        private TimeSpan? lastLine; // none yet: a resumed run's first step is not step 1

        public void Report(TrainingProgress p)
        {
            meter.Observe(p);
            if (p.Step != 1 && p.Step != p.TotalSteps && lastLine is { } last && meter.Elapsed - last < LogEvery) return;
            lastLine = meter.Elapsed;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{title}: step {p.Step}/{p.TotalSteps}  epoch {p.Epoch}  loss {meter.Loss:F4}  lr {p.LearningRate:G3}  {meter.Rate:F1} steps/s  eta {meter.Remaining(p):hh\\:mm\\:ss}"));
        }
    }
}
