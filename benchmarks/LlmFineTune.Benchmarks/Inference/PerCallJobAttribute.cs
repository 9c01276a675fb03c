using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;

namespace LlmFineTune.Benchmarks.Inference;

/// <summary>
/// One call per iteration (so percentiles are per call) with a fixed number of iterations; LLMFT_BENCH_QUICK=1 cuts them to
/// 3 (1 warm-up) to check that the benchmarks run, with meaningless numbers.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class PerCallJobAttribute(int iterations, int warmups) : JobMutatorConfigBaseAttribute(
    Job.Default.WithInvocationCount(1).WithUnrollFactor(1).WithIterationCount(Quick ? 3 : iterations).WithWarmupCount(Quick ? 1 : warmups))
{
    private static bool Quick => Environment.GetEnvironmentVariable("LLMFT_BENCH_QUICK") == "1";
}
