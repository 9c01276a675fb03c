using static TorchSharp.torch;

namespace LlmFineTune.Tests.Backbones;

internal static class TensorAssert
{
    /// <summary>Asserts that two tensors are views of the same memory: a write through one shows in the other.</summary>
    public static void SameStorage(Tensor a, Tensor b, string message)
    {
        using var noGrad = no_grad();
        using var firstA = a.flatten()[0];
        using var firstB = b.flatten()[0];
        float before = firstB.item<float>();
        firstA.add_(1);
        float after = firstB.item<float>();
        firstA.sub_(1);
        Assert.AreEqual(before + 1, after, 1e-6, message);
    }
}
