using System.Diagnostics;
using static TorchSharp.torch;

namespace LlmFineTune.StepRunner;

/// <summary>
/// The machine's attainable float32 matrix-multiply rate through the same libtorch the library uses
/// (2048³, and the encoder's FFN shape 4096 × 256 × 1024), as the peers' <c>gemm</c>: the peak that
/// model-FLOPs utilisation of the encoder step is quoted against.
/// </summary>
internal static class Gemm
{
    public static void Run(int warmup, int steps, Dictionary<string, object?> result)
    {
        foreach (var (name, m, k, n) in new[] { ("gemm_2048", 2048L, 2048L, 2048L), ("gemm_ffn", 4096L, 256L, 1024L) })
        {
            using var a = randn(m, k);
            using var b = randn(k, n);
            for (int i = 0; i < warmup; i++)
                mm(a, b).Dispose();
            var seconds = new List<double>();
            for (int i = 0; i < steps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                mm(a, b).Dispose();
                seconds.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
            }
            double median = ProcessStats.Median(seconds);
            result[name] = new Dictionary<string, double> { ["median_ms"] = median * 1e3, ["gflops"] = 2.0 * m * k * n / median / 1e9 };
        }
    }
}
