using LlmFineTune.Data;

namespace LlmFineTune.Tests.Data;

[TestClass]
public sealed class TextDatasetSplitsTests
{
    // unbalanced on purpose: 60 / 30 / 10
    private static TextDataset Unbalanced() => TextDataset.FromExamples(
        Enumerable.Range(0, 100).Select(i => TextExample.Labeled($"text {i}", i < 60 ? "a" : i < 90 ? "b" : "c")));

    [TestMethod]
    public void Shuffle_IsASeededPermutation()
    {
        var data = Unbalanced();
        var one = data.Shuffle(7).Select(e => e.Text).ToArray();
        CollectionAssert.AreEqual(one, data.Shuffle(7).Select(e => e.Text).ToArray());
        CollectionAssert.AreNotEqual(one, data.Shuffle(8).Select(e => e.Text).ToArray());
        CollectionAssert.AreEquivalent(data.Select(e => e.Text).ToArray(), one);
    }

    [TestMethod]
    public void StratifiedSplit_KeepsClassProportionsAndPartitions()
    {
        var data = Unbalanced();
        var (train, validation) = data.StratifiedSplit(0.2, seed: 3);
        Assert.AreEqual(12, validation.Count(e => e.Label == "a"));
        Assert.AreEqual(6, validation.Count(e => e.Label == "b"));
        Assert.AreEqual(2, validation.Count(e => e.Label == "c"));
        Assert.AreEqual(80, train.Count);
        CollectionAssert.AreEquivalent(data.Select(e => e.Text).ToArray(), train.Concat(validation).Select(e => e.Text).ToArray());
        Assert.AreSame(data.LabelMap, train.LabelMap);
        Assert.AreSame(data.LabelMap, validation.LabelMap);
        var again = data.StratifiedSplit(0.2, seed: 3).Validation.Select(e => e.Text).ToArray();
        CollectionAssert.AreEqual(validation.Select(e => e.Text).ToArray(), again);
        CollectionAssert.AreNotEqual(again, data.StratifiedSplit(0.2, seed: 4).Validation.Select(e => e.Text).ToArray());
    }

    [TestMethod]
    public void StratifiedSplit_SmallClassGetsOneOnEachSide()
    {
        var data = TextDataset.FromExamples([.. Enumerable.Range(0, 20).Select(i => TextExample.Labeled($"t{i}", "big")), TextExample.Labeled("r1", "rare"), TextExample.Labeled("r2", "rare")]);
        var (train, validation) = data.StratifiedSplit(0.1, seed: 1);
        Assert.AreEqual(1, train.Count(e => e.Label == "rare"));
        Assert.AreEqual(1, validation.Count(e => e.Label == "rare"));
    }

    [TestMethod]
    public void StratifiedSplit_BadFraction_Throws()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Unbalanced().StratifiedSplit(1.0, 1));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Unbalanced().StratifiedSplit(double.NaN, 1));
    }

    [TestMethod]
    public void KFold_ValidationPartsPartitionTheDataAndAreStratified()
    {
        var data = Unbalanced();
        var folds = data.KFold(5, seed: 11);
        Assert.AreEqual(5, folds.Count);
        CollectionAssert.AreEquivalent(data.Select(e => e.Text).ToArray(), folds.SelectMany(f => f.Validation).Select(e => e.Text).ToArray());
        foreach (var (train, validation) in folds)
        {
            Assert.AreEqual(100, train.Count + validation.Count);
            Assert.AreEqual(0, train.Select(e => e.Text).Intersect(validation.Select(e => e.Text)).Count());
            Assert.AreEqual(12, validation.Count(e => e.Label == "a"));
            Assert.AreEqual(6, validation.Count(e => e.Label == "b"));
            Assert.AreEqual(2, validation.Count(e => e.Label == "c"));
        }
    }

    [TestMethod]
    public void KFold_MultiLabelAndRegression_PartitionToo()
    {
        var multi = TextDataset.FromExamples(
            Enumerable.Range(0, 30).Select(i => new TextExample { Text = $"m{i}", Labels = i % 10 == 0 ? ["rare", "common"] : ["common"] }),
            TaskKind.MultiLabel);
        foreach (var (_, validation) in multi.KFold(3, seed: 2))
            Assert.AreEqual(1, validation.Count(e => e.Labels!.Contains("rare")), "the rare label spreads over the folds");
        var regression = TextDataset.FromExamples(Enumerable.Range(0, 40).Select(i => new TextExample { Text = $"r{i}", Value = i }), TaskKind.Regression);
        var folds = regression.KFold(4, seed: 2);
        foreach (var (_, validation) in folds)
            Assert.AreEqual(10, validation.Count);
        Assert.AreEqual(40, folds.SelectMany(f => f.Validation).Select(e => e.Text).Distinct().Count());
    }

    [TestMethod]
    public void FirstPerClass_TakesFirstNOfEachClass()
    {
        var data = Unbalanced();
        var sample = data.FirstPerClass(5);
        Assert.AreEqual(15, sample.Count);
        CollectionAssert.AreEqual(new[] { "text 0", "text 1", "text 2", "text 3", "text 4" }, sample.Where(e => e.Label == "a").Select(e => e.Text).ToArray());
        var seeded = data.FirstPerClass(20, seed: 5);
        Assert.AreEqual(20 + 20 + 10, seeded.Count);
        CollectionAssert.AreEqual(seeded.Select(e => e.Text).ToArray(), data.FirstPerClass(20, seed: 5).Select(e => e.Text).ToArray());
        CollectionAssert.AreNotEqual(sample.Select(e => e.Text).ToArray(), data.FirstPerClass(5, seed: 5).Select(e => e.Text).ToArray());
    }
}
