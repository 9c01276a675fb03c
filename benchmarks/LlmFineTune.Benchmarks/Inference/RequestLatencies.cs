using BenchmarkDotNet.Running;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// Per-request latencies of <see cref="ServingBenchmarks"/>, one list per iteration and case, and each case's mean batch; the P50/P99 (req) columns read
/// the last <c>IterationCount</c> lists (the measured iterations; warm-up and pilot iterations come before them).
/// The suite runs in process, so the columns see what the benchmark recorded.
/// </summary>
internal static class RequestLatencies
{
    private static readonly Dictionary<string, List<List<double>>> ByCase = [];
    private static readonly Dictionary<string, double> TextsPerPass = [];
    private static List<double> current = [];

    public static void StartIteration(ServingBenchmarks benchmark)
    {
        lock (ByCase)
        {
            string key = Key(benchmark.Batching, benchmark.Callers);
            if (!ByCase.TryGetValue(key, out var iterations)) ByCase[key] = iterations = [];
            iterations.Add(current = []);
        }
    }

    public static void Add(double milliseconds)
    {
        lock (ByCase) current.Add(milliseconds);
    }

    /// <summary>Records the mean batch a case's service formed over its whole run.</summary>
    public static void SetTextsPerPass(ServingBenchmarks benchmark, double texts)
    {
        lock (ByCase) TextsPerPass[Key(benchmark.Batching, benchmark.Callers)] = texts;
    }

    /// <summary>The mean batch of the case's service, or null when it was not recorded.</summary>
    public static double? MeanTextsPerPass(BenchmarkCase benchmarkCase)
    {
        if (benchmarkCase.Descriptor.Type != typeof(ServingBenchmarks)) return null;
        lock (ByCase)
            return TextsPerPass.TryGetValue(Key(benchmarkCase), out double texts) ? texts : null;
    }

    /// <summary>The percentile of the latencies of the case's last <paramref name="iterations"/> iterations, or null when none were recorded.</summary>
    public static double? Percentile(BenchmarkCase benchmarkCase, int iterations, double percentile)
    {
        if (benchmarkCase.Descriptor.Type != typeof(ServingBenchmarks)) return null;
        double[] sorted;
        lock (ByCase)
        {
            if (!ByCase.TryGetValue(Key(benchmarkCase), out var all)) return null;
            sorted = [.. all.TakeLast(iterations).SelectMany(l => l).Order()];
        }
        return sorted.Length == 0 ? null : sorted[(int)Math.Min(sorted.Length - 1, Math.Ceiling(percentile / 100 * sorted.Length) - 1)];
    }

    private static string Key(string batching, int callers) => $"{batching}/{callers}";

    private static string Key(BenchmarkCase benchmarkCase) =>
        Key((string)benchmarkCase.Parameters[nameof(ServingBenchmarks.Batching)], (int)benchmarkCase.Parameters[nameof(ServingBenchmarks.Callers)]);
}
