using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Training.Optimizers;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Reference = TorchSharp.Modules.AdamW;

namespace LlmFineTune.Tests.Training;

[TestClass]
public sealed class AdamWTests
{
    private const double Rate = 0.01, Decay = 0.1;

    // Row 3 twice (its entries must add up), 0 is padding; rows 1, 2, 4, 6, 8 and 9 are not in the batch.
    private static readonly long[] Ids = [3, 5, 3, 0, 7, 3, 0, 0];

    [TestInitialize]
    public void Seed() => manual_seed(11);

    [TestMethod]
    public void Step_SparseGradient_BatchRowsMatchDenseAdamWOtherRowsUnchanged()
    {
        using var sparse = new BagOfNgrams(10, 4, sparseGradients: true);
        using var dense = new BagOfNgrams(10, 4, sparseGradients: false);
        using (no_grad()) dense.parameters().Single().copy_(sparse.parameters().Single());
        var before = Rows(sparse);
        using var ours = Create(sparse.parameters());
        using var reference = new Reference([new Reference.ParamGroup(dense.parameters(), Options())], Rate);

        Backward(sparse);
        Backward(dense);
        Assert.IsTrue(sparse.parameters().Single().grad!.is_sparse, "the bag's gradient is sparse by default");
        ours.step();
        reference.step();

        var updated = Rows(sparse);
        var expected = Rows(dense);
        foreach (int row in new[] { 3, 5, 7 })
            for (int c = 0; c < 4; c++)
                Assert.AreEqual(expected[row][c], updated[row][c], 1e-6, $"row {row} in the batch moves as under dense AdamW");
        foreach (int row in new[] { 0, 1, 2, 4, 6, 8, 9 })
        {
            CollectionAssert.AreEqual(before[row], updated[row], $"row {row} is not in the batch: unchanged");
            if (row != 0) CollectionAssert.AreNotEqual(before[row], expected[row], $"dense AdamW decays row {row}");
        }
    }

    [TestMethod]
    public void Step_DenseGradients_MatchTorchSharpAdamWOverSteps()
    {
        using var ours = new Parameter(randn(5, 3));
        using var theirs = new Parameter(ours.detach().clone());
        using var initial = ours.detach().clone();
        using var optimizer = Create([ours]);
        using var reference = new Reference([new Reference.ParamGroup([theirs], Options())], Rate);

        for (int step = 0; step < 5; step++)
        {
            using var scope = NewDisposeScope();
            var target = randn(5, 3);
            (ours - target).pow(2).sum().backward();
            (theirs - target).pow(2).sum().backward();
            optimizer.step();
            reference.step();
            optimizer.zero_grad();
            reference.zero_grad();
        }

        Assert.IsTrue(ours.allclose(theirs, rtol: 1e-5, atol: 1e-7), "the folded bias corrections give AdamW's update");
        Assert.IsFalse(ours.allclose(initial, rtol: 0, atol: 1e-3), "five steps moved the weights");
    }

    [TestMethod]
    public void Step_GradientSparseInBothDimensions_UpdatedAsItsDenseEquivalent()
    {
        using var ours = new Parameter(randn(4, 3));
        using var theirs = new Parameter(ours.detach().clone());
        using var optimizer = Create([ours]);
        using var reference = new Reference([new Reference.ParamGroup([theirs], Options())], Rate);
        using var gradient = tensor(new float[] { 0, 2, 0, 0, 0, 0, -1, 0, 3, 0, 0, 0 }, [4, 3]);
        theirs.grad = gradient.clone();
        ours.grad = gradient.to_sparse();
        Assert.AreEqual(2L, ours.grad!.SparseIndices.shape[0], "sparse in rows and columns");

        optimizer.step();
        reference.step();

        Assert.IsTrue(ours.allclose(theirs, rtol: 1e-5, atol: 1e-7), "not a row gradient: every entry moves as under dense AdamW");
    }

    [TestMethod]
    public void ZeroGrad_AfterBackward_DropsTheGradients()
    {
        using var bag = new BagOfNgrams(10, 4);
        using var optimizer = Create(bag.parameters());
        Backward(bag);

        optimizer.zero_grad();

        Assert.IsNull(bag.parameters().Single().grad);
    }

    [TestMethod]
    public void LoadStateDict_SavedByTorchSharpAdamW_SameMomentsAndStep()
    {
        // Checkpoints written before the library had its own AdamW hold TorchSharp's; they must resume.
        using var bag = new BagOfNgrams(10, 4, sparseGradients: false);
        using var reference = new Reference([new Reference.ParamGroup(bag.parameters(), Options())], Rate);
        Backward(bag);
        reference.step();
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            reference.save_state_dict(writer);

        using var ours = Create(bag.parameters());
        stream.Position = 0;
        using (var reader = new BinaryReader(stream))
            ours.load_state_dict(reader);

        var loaded = (Reference.State)ours.state_dict().State.Single();
        var saved = (Reference.State)reference.state_dict().State.Single();
        Assert.AreEqual(1L, loaded.step);
        Assert.IsTrue(loaded.exp_avg.allclose(saved.exp_avg, rtol: 0, atol: 0) && loaded.exp_avg_sq.allclose(saved.exp_avg_sq, rtol: 0, atol: 0));
        Assert.IsTrue(saved.exp_avg.abs().sum().item<float>() > 0, "the saved moments are not the fresh zeros");
    }

    private static Reference.Options Options() => new() { LearningRate = Rate, weight_decay = Decay, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 };

    private static LlmFineTune.Training.Optimizers.AdamW Create(IEnumerable<Parameter> parameters) =>
        (LlmFineTune.Training.Optimizers.AdamW)new AdamWFactory(weightDecay: Decay).Create([new([.. parameters.Select((p, i) => ($"weight{i}", p))])], Rate);

    /// <summary>A loss whose gradient differs per column and per bag, so every touched row gets its own update.</summary>
    private static void Backward(BagOfNgrams bag)
    {
        using var scope = NewDisposeScope();
        var ids = tensor(Ids, [2, 4]);
        var pooled = bag.forward(ids, ids.ne(0).to(int64));
        var weights = tensor(new float[] { 1, -2, 3, 0.5f, -1, 2, 0.25f, 4 }, [2, 4]);
        (pooled * weights).sum().backward();
    }

    private static float[][] Rows(BagOfNgrams bag)
    {
        var table = bag.parameters().Single().detach();
        return [.. Enumerable.Range(0, (int)table.shape[0]).Select(r => table[r].data<float>().ToArray())];
    }
}
