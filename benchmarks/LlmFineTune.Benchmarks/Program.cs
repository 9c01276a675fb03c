using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using LlmFineTune.Benchmarks;

// dotnet run -c Release --project benchmarks/LlmFineTune.Benchmarks -- --job short --filter '*'
// (see benchmarks/README.md). Benchmarks run in this process: BenchmarkDotNet's default toolchain
// rebuilds a copy of the project whose libLibTorchSharp.so LlmFineTune's build step has not patched,
// so libtorch would not load there on Debian 12 / Ubuntu 22.04.
string[] arguments = args.Contains("--inProcess") ? args : [.. args, "--inProcess"];
var config = DefaultConfig.Instance.AddColumn(StatisticColumn.Median, new ThroughputColumn()).AddColumn(LlmFineTune.Benchmarks.Inference.InferenceColumn.All);
BenchmarkSwitcher.FromAssembly(typeof(TokenizationBenchmarks).Assembly).Run(arguments, config);
