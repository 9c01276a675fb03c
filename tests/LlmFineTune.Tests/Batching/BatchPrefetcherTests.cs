using LlmFineTune.Batching;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Batching;

[TestClass]
public sealed class BatchPrefetcherTests
{
    private sealed class Item(int value, List<int> disposed) : IDisposable
    {
        public int Value => value;

        public void Dispose()
        {
            lock (disposed) disposed.Add(value);
        }
    }

    private static IEnumerable<Item> Items(int count, List<int> disposed, List<int>? produced = null, int failAt = -1)
    {
        for (int i = 0; i < count; i++)
        {
            if (i == failAt) throw new InvalidDataException($"bad batch {i}");
            lock (produced ?? disposed) produced?.Add(i);
            yield return new Item(i, disposed);
        }
    }

    [TestMethod]
    public void Prefetch_KeepsOrder()
    {
        var disposed = new List<int>();
        var values = Items(50, disposed).Prefetch(depth: 2).Select(i => { i.Dispose(); return i.Value; }).ToArray();
        CollectionAssert.AreEqual(Enumerable.Range(0, 50).ToArray(), values);
        Assert.AreEqual(50, disposed.Count);
    }

    [TestMethod]
    public void Prefetch_WorkerException_ReachesConsumerAfterEarlierItems()
    {
        var disposed = new List<int>();
        var seen = new List<int>();
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
        {
            foreach (var item in Items(10, disposed, failAt: 4).Prefetch())
            {
                seen.Add(item.Value);
                item.Dispose();
            }
        });
        Assert.AreEqual("bad batch 4", e.Message);
        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3 }, seen);
    }

    [TestMethod]
    public void Prefetch_EarlyStop_DisposesWhatWasNotConsumedAndStaysBounded()
    {
        var disposed = new List<int>();
        var produced = new List<int>();
        using (var enumerator = Items(1000, disposed, produced).Prefetch(depth: 2).GetEnumerator())
        {
            Assert.IsTrue(enumerator.MoveNext());
            Assert.IsTrue(enumerator.MoveNext());
            enumerator.Current.Dispose();
            Thread.Sleep(50); // let the worker fill the queue
            lock (produced) Assert.IsTrue(produced.Count <= 2 + 2 + 1, $"worker ran ahead to {produced.Count}");
        }
        // item 0 was taken but not disposed by the consumer (its job); everything produced after it is disposed
        CollectionAssert.AreEquivalent(produced.Where(i => i != 0).ToArray(), disposed.ToArray());
    }

    [TestMethod]
    public void Prefetch_Cancelled_ThrowsOperationCanceled()
    {
        var disposed = new List<int>();
        using var cancel = new CancellationTokenSource();
        int consumed = 0;
        Assert.ThrowsExactly<OperationCanceledException>(() =>
        {
            foreach (var item in Items(1000, disposed).Prefetch(2, cancel.Token))
            {
                item.Dispose();
                if (++consumed == 3) cancel.Cancel();
            }
        });
        Assert.AreEqual(3, consumed);
    }

    [TestMethod]
    public void Prefetch_RealBatches_ConsumedOnesByTheConsumer_RestByThePrefetcher()
    {
        LlmFineTune.Runtime.TorchRuntime.EnsureAvailable();
        var built = new List<Batch>();
        IEnumerable<Batch> Batches()
        {
            for (int i = 0; i < 20; i++)
            {
                var batch = new Batch(full(new long[] { 4, 8 }, i, ScalarType.Int64), ones(4, 8, dtype: ScalarType.Int64), labels: zeros(4, dtype: ScalarType.Int64));
                lock (built) built.Add(batch);
                yield return batch;
            }
        }
        int seen = 0;
        foreach (var batch in Batches().Prefetch())
        {
            using (batch)
                Assert.AreEqual(seen++, batch.InputIds[0, 0].item<long>());
            if (seen == 10) break;
        }
        Assert.IsTrue(built.Count > 10, "the worker ran ahead");
        Assert.IsTrue(built.All(b => b.InputIds.IsInvalid && b.AttentionMask.IsInvalid && b.Labels!.IsInvalid), "every built batch is disposed");
    }
}
