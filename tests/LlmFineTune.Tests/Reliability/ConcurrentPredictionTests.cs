using System.Diagnostics;
using LlmFineTune.Modeling;
using LlmFineTune.Tests.Training;
using LlmFineTune.Training;
using TorchSharp;

namespace LlmFineTune.Tests.Reliability;

/// <summary>Sixteen threads share one loaded model for seconds: same answers as one thread, no crash, no growth.</summary>
[TestClass]
public sealed class ConcurrentPredictionTests
{
    private const int Threads = 16;

    [TestMethod]
    [TestCategory("Slow")]
    public void Predict_SixteenThreadsForSecondsOnOneLoadedModel_SequentialAnswersAndFlatMemory()
    {
        string directory = Directory.CreateTempSubdirectory("llmft-concurrency-").FullName;
        try
        {
            var data = TinyModels.SingleLabel(perClass: 10, seed: 21);
            using (var trained = TinyModels.Create(data))
            {
                new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 8, LearningRate = 0.05 }).Train(trained, data);
                trained.Save(directory);
            }
            using var model = TextClassifier.Load(directory);
            string[] texts = [.. data.Select(e => e.Text)];
            float[][] expected = [.. texts.Select(t => model.Predict(t).Scores.Values.ToArray())];
            RunThreads(model, texts, expected, TimeSpan.FromMilliseconds(300)); // warm-up: thread-local pools, JIT
            long managedBefore = ManagedBytes();
            long tensorsBefore = torch.Tensor.TotalCount;

            long predictions = RunThreads(model, texts, expected, TimeSpan.FromSeconds(3));

            long managedGrowth = ManagedBytes() - managedBefore;
            Assert.AreEqual(tensorsBefore, torch.Tensor.TotalCount, "live tensors after the run");
            Assert.IsLessThan(1 << 20, managedGrowth, $"managed heap grew by {managedGrowth} bytes over {predictions} predictions");
            Assert.IsGreaterThan(Threads * 10L, predictions);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
    public void Dispose_WhileEightThreadsPredict_TheyGetObjectDisposedExceptionAndNothingElse()
    {
        // Before: segfaults (exit 139) or "Tensor invalid -- empty handle" in most rounds.
        const int Rounds = 20;
        const int Predictors = 8;
        var random = new Random(5);
        var unexpected = new List<string>();
        long predictions = 0;
        for (int round = 0; round < Rounds; round++)
        {
            var model = ModelFixtures.Bag();
            using var start = new Barrier(Predictors + 1);
            var threads = Enumerable.Range(0, Predictors).Select(t => new Thread(() =>
            {
                start.SignalAndWait();
                try
                {
                    for (int i = 0; ; i++)
                    {
                        model.Predict("text number " + i);
                        if (t % 2 == 0) model.PredictBatch(["one", "two", "three"]);
                        Interlocked.Increment(ref predictions);
                    }
                }
                catch (ObjectDisposedException)
                {
                }
                catch (Exception e)
                {
                    lock (unexpected) unexpected.Add($"{e.GetType().Name}: {e.Message}");
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            start.SignalAndWait();
            Thread.Sleep(random.Next(0, 4));
            model.Dispose();
            threads.ForEach(t => t.Join());
        }

        Assert.IsEmpty(unexpected, string.Join("\n", unexpected.Distinct().Take(5)));
        Assert.IsGreaterThan(0L, predictions);
    }

    /// <summary>Each thread predicts round-robin until the time is up; returns how many predictions were made, failing on the first different answer.</summary>
    private static long RunThreads(TextClassifier model, string[] texts, float[][] expected, TimeSpan duration)
    {
        long total = 0;
        var failures = new List<string>();
        using var start = new Barrier(Threads);
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            var clock = Stopwatch.StartNew();
            long mine = 0;
            try
            {
                for (int i = t; clock.Elapsed < duration; i++, mine++)
                {
                    int k = i % texts.Length;
                    if (!model.Predict(texts[k]).Scores.Values.SequenceEqual(expected[k]))
                        throw new InvalidOperationException($"thread {t}: text {k} scored differently from the sequential run");
                }
            }
            catch (Exception e)
            {
                lock (failures) failures.Add(e.Message);
            }
            Interlocked.Add(ref total, mine);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.IsEmpty(failures, string.Join("\n", failures.Take(5)));
        return total;
    }

    private static long ManagedBytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
