using LlmFineTune.Runtime;
using TorchSharp;

namespace LlmFineTune.Benchmarks;

/// <summary>The same torch set-up for every benchmark: the library's runtime defaults, a fixed thread count, a fixed seed.</summary>
internal static class BenchmarkTorch
{
    /// <summary>libtorch intra-op threads in every benchmark (the side-by-side comparisons use the same).</summary>
    public const int Threads = 2;

    public static void Initialize()
    {
        TorchRuntime.PerformanceDefaults = true;
        TorchRuntime.EnsureAvailable();
        torch.set_num_threads(Threads);
        torch.manual_seed(0);
    }
}
