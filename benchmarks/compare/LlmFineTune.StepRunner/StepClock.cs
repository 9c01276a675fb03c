using System.Diagnostics;
using LlmFineTune.Runtime;
using LlmFineTune.Training;

namespace LlmFineTune.StepRunner;

/// <summary>
/// Receives the trainer's report after every step (synchronously, on the training thread) and
/// times the interval between reports: batch production + step + bookkeeping, i.e. the whole
/// per-step cost of the loop. Samples memory during soak runs and stops the run when done.
/// </summary>
internal sealed class StepClock(int warmup, int steps, int sampleEvery, int trimEvery) : IProgress<TrainingProgress>
{
    private readonly CancellationTokenSource stop = new();
    private long last = Stopwatch.GetTimestamp();

    public CancellationToken Token => stop.Token;

    public List<double> Seconds { get; } = new(steps);

    public List<double> Losses { get; } = [];

    public List<Dictionary<string, object>> Samples { get; } = [];

    public double RssStartMb { get; private set; }

    public long LiveStart { get; private set; }

    public long FaultsStart { get; private set; }

    public double ManagedStartMb { get; private set; }

    public int Trims { get; private set; }

    /// <summary>Restarts the interval clock (call just before Train).</summary>
    public void Start() => last = Stopwatch.GetTimestamp();

    public void Report(TrainingProgress value)
    {
        long now = Stopwatch.GetTimestamp();
        double seconds = (double)(now - last) / Stopwatch.Frequency;
        Losses.Add(value.Loss);
        int step = Losses.Count;
        if (step == warmup)
        {
            RssStartMb = ProcessStats.RssMb();
            LiveStart = ProcessStats.LiveTensors();
            FaultsStart = ProcessStats.MinorFaults();
            ManagedStartMb = ProcessStats.ManagedMb();
        }
        else if (step > warmup)
        {
            Seconds.Add(seconds);
            int measured = step - warmup;
            if (trimEvery > 0 && measured % trimEvery == 0 && TorchRuntime.ReleaseFreeNativeMemory())
                Trims++;
            if (sampleEvery > 0 && measured % sampleEvery == 0)
                Samples.Add(new() { ["step"] = measured, ["rss_mb"] = ProcessStats.RssMb(), ["live_tensors"] = ProcessStats.LiveTensors(), ["managed_mb"] = ProcessStats.ManagedMb(), ["tensor_objects"] = TorchSharp.torch.Tensor.TotalCount, ["gen0_gcs"] = GC.CollectionCount(0) });
            if (measured == steps)
                stop.Cancel();
        }
        // Exclude this method's own sampling from the next interval.
        last = Stopwatch.GetTimestamp();
    }
}
