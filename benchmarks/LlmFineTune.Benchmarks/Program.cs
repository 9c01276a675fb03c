using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using LlmFineTune.Benchmarks;

// "Short" job: in-process (this executable's output already has the libLibTorchSharp fix that a
// regenerated benchmark project would lack), 2 warm-up and 7 measured iterations.
var config = DefaultConfig.Instance
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(2).WithIterationCount(7).WithId("Short"))
    .AddColumn(StatisticColumn.Median, new ThroughputColumn());
BenchmarkSwitcher.FromAssembly(typeof(TokenizationBenchmarks).Assembly).Run(args, config);
