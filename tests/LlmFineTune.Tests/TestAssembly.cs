using LlmFineTune.Runtime;

namespace LlmFineTune.Tests;

/// <summary>Process-wide set-up that runs before any test touches torch.</summary>
[TestClass]
public static class TestAssembly
{
    /// <summary>
    /// The tests run under the tuned runtime that the CLI, the examples and the benchmarks turn on;
    /// <see cref="Runtime.TorchRuntimeTests"/> checks in a child process that a plain library user gets no tuning.
    /// </summary>
    [AssemblyInitialize]
    public static void UsePerformanceDefaults(TestContext context) => TorchRuntime.PerformanceDefaults = true;
}
