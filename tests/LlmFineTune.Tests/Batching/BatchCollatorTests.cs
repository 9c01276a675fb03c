using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Batching;

[TestClass]
public sealed class BatchCollatorTests
{
    private static readonly WordPieceTokenizer Tokenizer =
        WordPieceTokenizer.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c"]);

    [TestInitialize]
    public void Setup() => LlmFineTune.Runtime.TorchRuntime.EnsureAvailable();

    [TestMethod]
    public void Build_TruncatesPadsToLongestAndMasks()
    {
        var builder = new BatchCollator(Tokenizer, maxLength: 5);
        var data = TextDataset.FromExamples([TextExample.Labeled("a b c a b c", "x"), TextExample.Labeled("a", "y")]);
        using var batch = builder.Build(data, data.Kind, data.LabelMap);
        CollectionAssert.AreEqual(new long[] { 2, 5 }, batch.InputIds.shape);
        CollectionAssert.AreEqual(new long[] { 2, 5, 6, 7, 3, 2, 5, 3, 0, 0 }, batch.InputIds.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 1, 1, 1, 1, 1, 1, 1, 1, 0, 0 }, batch.AttentionMask.data<long>().ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 1 }, batch.Labels!.data<long>().ToArray());
    }

    [TestMethod]
    public void Build_MultiLabelAndRegressionTargets()
    {
        var builder = new BatchCollator(Tokenizer, maxLength: 8);
        var multi = TextDataset.FromExamples([new TextExample { Text = "a", Labels = ["p", "q"] }, new TextExample { Text = "b", Labels = ["q"] }], TaskKind.MultiLabel);
        using (var batch = builder.Build(multi, multi.Kind, multi.LabelMap))
            CollectionAssert.AreEqual(new float[] { 1, 1, 0, 1 }, batch.Targets!.data<float>().ToArray());
        var values = TextDataset.FromExamples([new TextExample { Text = "a", Value = 0.5f }], TaskKind.Regression);
        using (var batch = builder.Build(values, values.Kind, values.LabelMap))
            CollectionAssert.AreEqual(new float[] { 0.5f }, batch.Targets!.data<float>().ToArray());
    }

    [TestMethod]
    public void Pad_EmptyBatch_Throws()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new BatchCollator(Tokenizer, 4).Pad([]));
    }
}
