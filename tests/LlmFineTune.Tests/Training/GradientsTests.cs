using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class GradientsTests
{
    [TestInitialize]
    public void Seed() => manual_seed(5);

    [TestMethod]
    public void ClipNorm_SparseAndDenseGradients_ScaledAsLibtorchScalesDenseOnes()
    {
        using var sparse = new BagOfNgrams(12, 4, sparseGradients: true);
        using var sparseHead = nn.Linear(4, 2);
        using var dense = new BagOfNgrams(12, 4, sparseGradients: false);
        using var denseHead = nn.Linear(4, 2);
        Parameter[] sparseParameters = [.. sparse.parameters(), .. sparseHead.parameters()];
        Parameter[] denseParameters = [.. dense.parameters(), .. denseHead.parameters()];
        using (no_grad())
            foreach (var (target, source) in denseParameters.Zip(sparseParameters))
                target.copy_(source);
        Backward(sparse, sparseHead);
        Backward(dense, denseHead);

        double ours = Gradients.ClipNorm(sparseParameters, maxNorm: 0.05);
        double libtorch = nn.utils.clip_grad_norm_(denseParameters, 0.05);

        Assert.AreEqual(libtorch, ours, 1e-6);
        Assert.IsGreaterThan(0.05, ours, "the test must clip");
        foreach (var (mine, theirs) in sparseParameters.Zip(denseParameters))
            Assert.IsTrue(mine.grad!.to_dense().allclose(theirs.grad!, rtol: 1e-5, atol: 1e-8), "every gradient scaled, the sparse one included");
    }

    [TestMethod]
    public void Densify_SparseGradient_ReplacedByItsDenseEquivalent()
    {
        using var sparse = new BagOfNgrams(12, 4);
        using var head = nn.Linear(4, 2);
        Backward(sparse, head);
        var table = sparse.parameters().Single();
        using var expected = table.grad!.to_dense();

        Gradients.Densify([.. sparse.parameters(), .. head.parameters()]);

        Assert.IsFalse(table.grad!.is_sparse);
        Assert.IsTrue(table.grad!.allclose(expected, rtol: 0, atol: 0));
    }

    private static void Backward(BagOfNgrams bag, Linear head)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(new long[] { 2, 4, 2, 0, 9, 11, 0, 0, 4, 4, 4, 4 }, [3, 4]);
        var loss = nn.functional.cross_entropy(head.call(bag.forward(ids, ids.ne(0).to(int64))), tensor(new long[] { 0, 1, 1 }));
        loss.backward();
    }
}
