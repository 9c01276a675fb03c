using LlmFineTune.Batching;

namespace LlmFineTune.Tests.Batching;

[TestClass]
public sealed class LengthBucketSamplerTests
{
    private static int[] Lengths(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => random.Next(1, 500)).ToArray();
    }

    [TestMethod]
    public void Batches_CoverEveryIndexOnceWithTheBatchSize()
    {
        var sampler = new LengthBucketSampler(batchSize: 8, chunkBatches: 4);
        var batches = sampler.Batches(Lengths(101, 1), seed: 5);
        Assert.AreEqual(sampler.BatchCount(101), batches.Count);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 101).ToArray(), batches.SelectMany(b => b).ToArray());
        Assert.AreEqual(batches.Count - 1, batches.Count(b => b.Length == 8), "only one batch is short");
    }

    [TestMethod]
    public void Batches_BatchLargerThanTheDataTimesChunks_OneBatchNotAnOverflow()
    {
        var batches = new LengthBucketSampler(batchSize: 50_000_000).Batches(Lengths(30, 4), seed: 1);

        Assert.HasCount(1, batches);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 30).ToArray(), batches[0]);
    }

    [TestMethod]
    public void Batches_SameSeedSameOrder_DifferentSeedDifferentOrder()
    {
        var sampler = new LengthBucketSampler(8);
        var lengths = Lengths(200, 2);
        var a = sampler.Batches(lengths, 1).SelectMany(b => b).ToArray();
        CollectionAssert.AreEqual(a, sampler.Batches(lengths, 1).SelectMany(b => b).ToArray());
        CollectionAssert.AreNotEqual(a, sampler.Batches(lengths, 2).SelectMany(b => b).ToArray());
    }

    [TestMethod]
    public void Batches_PadFarLessThanRandomBatches()
    {
        var lengths = Lengths(1000, 3);
        static long Padding(IEnumerable<int[]> batches, int[] lengths) =>
            batches.Sum(b => (long)b.Max(i => lengths[i]) * b.Length - b.Sum(i => lengths[i]));
        var bucketed = new LengthBucketSampler(16, chunkBatches: 50).Batches(lengths, 1);
        var random = new LengthBucketSampler(16, chunkBatches: 1).Batches(lengths, 1);
        long bucketedPadding = Padding(bucketed, lengths), randomPadding = Padding(random, lengths);
        Assert.IsTrue(bucketedPadding * 5 < randomPadding, $"bucketed {bucketedPadding} vs random {randomPadding}");
    }
}
