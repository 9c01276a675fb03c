using LlmFineTune.Runtime;
using TorchSharp;

namespace LlmFineTune.Tests.Runtime;

[TestClass]
public sealed class TorchRuntimeTests
{
    [TestMethod]
    public void EnsureAvailable_PatchedOutput_LoadsTorch()
    {
        TorchRuntime.EnsureAvailable();

        using var sum = torch.ones(3, 4).sum();
        Assert.AreEqual(12f, sum.item<float>());
    }

    [TestMethod]
    public void Diagnose_LoadableOutput_NamesTheNativeFile()
    {
        string diagnosis = TorchRuntime.Diagnose();

        StringAssert.Contains(diagnosis, "libLibTorchSharp.so");
    }
}
