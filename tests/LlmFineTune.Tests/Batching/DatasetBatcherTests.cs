using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Batching;

[TestClass]
public sealed class DatasetBatcherTests
{
    private static readonly HashingTokenizer Tokenizer = new(new() { Buckets = 100, WordNgrams = 1 });

    private static TextDataset Data() => TextDataset.FromExamples(
        Enumerable.Range(0, 50).Select(i => TextExample.Labeled(string.Join(' ', Enumerable.Repeat($"w{i}", 1 + i % 9)), i % 3 == 0 ? "x" : "y")));

    [TestInitialize]
    public void Setup() => LlmFineTune.Runtime.TorchRuntime.EnsureAvailable();

    [TestMethod]
    public void Batches_CoverTheEpochInTheSeededOrder_AndSkipResumesExactly()
    {
        var data = Data();
        var batcher = new DatasetBatcher(data, new BatchCollator(Tokenizer, 16), data.LabelMap, batchSize: 8);
        Assert.AreEqual(7L, batcher.BatchesPerEpoch);
        var order = batcher.Order(epoch: 1, seed: 42);
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 50).ToArray(), order.SelectMany(b => b).ToArray());

        var widths = new List<long>();
        var labels = new List<long>();
        foreach (var batch in batcher.Batches(1, 42))
            using (batch)
            {
                widths.Add(batch.InputIds.shape[1]);
                labels.AddRange(batch.Labels!.data<long>().ToArray());
            }
        CollectionAssert.AreEqual(order.SelectMany(b => b).Select(i => (long)data.LabelMap.IdOf(data[i].Label!)).ToArray(), labels.ToArray());
        CollectionAssert.AreEqual(order.Select(b => (long)b.Max(i => Tokenizer.Encode(data[i].Text, 16).Length)).ToArray(), widths.ToArray());

        var resumed = new List<long>();
        foreach (var batch in batcher.Batches(1, 42, skip: 5))
            using (batch) resumed.AddRange(batch.Labels!.data<long>().ToArray());
        CollectionAssert.AreEqual(labels.Skip(order.Take(5).Sum(b => b.Length)).ToArray(), resumed.ToArray());
    }

    [TestMethod]
    public void Order_DependsOnEpochAndSeedOnly()
    {
        var data = Data();
        var a = new DatasetBatcher(data, new BatchCollator(Tokenizer, 16), data.LabelMap, 8, bucketByLength: false, prefetch: 0);
        var b = new DatasetBatcher(data, new BatchCollator(Tokenizer, 16), data.LabelMap, 8, bucketByLength: false, prefetch: 0);
        CollectionAssert.AreEqual(a.Order(2, 7).SelectMany(x => x).ToArray(), b.Order(2, 7).SelectMany(x => x).ToArray());
        CollectionAssert.AreNotEqual(a.Order(2, 7).SelectMany(x => x).ToArray(), a.Order(3, 7).SelectMany(x => x).ToArray());
        // a pinned value (SplitMix64 of seed and epoch, computed independently): the epoch seed must not
        // depend on the process, as HashCode.Combine's would
        Assert.AreEqual(-959305978, DatasetBatcher.EpochSeed(7, 2));
        Assert.AreNotEqual(DatasetBatcher.EpochSeed(7, 2), DatasetBatcher.EpochSeed(2, 7));
    }

    [TestMethod]
    public void Batches_LaterEpochs_ReuseTheIdsOfTheFirst()
    {
        var data = Data();
        var counting = new CountingTokenizer();
        var batcher = new DatasetBatcher(data, new BatchCollator(counting, 16), data.LabelMap, batchSize: 8);

        var epochs = Enumerable.Range(0, 3).Select(epoch => batcher.Batches(epoch, 42).Select(batch =>
        {
            using (batch) return batch.InputIds.data<long>().ToArray();
        }).ToList()).ToList();

        Assert.AreEqual(50, counting.Calls, "every text tokenized exactly once over three epochs");
        // the ids reused in epoch 2 are those a fresh encoding gives
        var order = batcher.Order(epoch: 2, seed: 42);
        for (int b = 0; b < order.Count; b++)
        {
            int width = order[b].Max(i => Tokenizer.Encode(data[i].Text, 16).Length);
            var expected = order[b].SelectMany(i => Tokenizer.Encode(data[i].Text, 16).Select(id => (long)id).Concat(Enumerable.Repeat(0L, width - Tokenizer.Encode(data[i].Text, 16).Length))).ToArray();
            CollectionAssert.AreEqual(expected, epochs[2][b]);
        }
    }

    /// <summary>The shared hashing tokenizer, counting its Encode calls.</summary>
    private sealed class CountingTokenizer : ITokenizer
    {
        private int calls;

        public int Calls => calls;

        public int VocabularySize => Tokenizer.VocabularySize;

        public int PadId => Tokenizer.PadId;

        public SpecialTokens Special => Tokenizer.Special;

        public bool IsContinuation(int id) => Tokenizer.IsContinuation(id);

        public int[] Encode(string text, int maxLength = 0)
        {
            Interlocked.Increment(ref calls);
            return Tokenizer.Encode(text, maxLength);
        }

        public void Save(string directory) => Tokenizer.Save(directory);
    }
}
