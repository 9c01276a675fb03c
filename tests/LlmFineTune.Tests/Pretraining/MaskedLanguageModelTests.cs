using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Pretraining;
using LlmFineTune.Tests.Backbones;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Pretraining;

[TestClass]
public sealed class MaskedLanguageModelTests
{
    [TestInitialize]
    public void Seed() => manual_seed(5);

    [TestMethod]
    public void CreateBatch_LargeSeededSample_Chooses15PercentSplit80_10_10AndNeverSpecials()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(64);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny(64)), tokenizer);
        var random = new Random(3);
        var sequences = Enumerable.Range(0, 400).Select(_ => tokenizer.Encode(string.Join(' ', Enumerable.Range(0, random.Next(5, 40)).Select(_ => tokenizer[random.Next(5, 64)])))).ToArray();

        using var batch = mlm.CreateBatch(sequences, new Random(9));

        long[] original = PaddedOriginal(sequences, (int)batch.InputIds.shape[1]);
        long[] ids = batch.InputIds.data<long>().ToArray(), labels = batch.Labels!.data<long>().ToArray(), mask = batch.AttentionMask.data<long>().ToArray();
        int eligible = 0, chosen = 0, masked = 0, replaced = 0, kept = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            bool special = original[i] < 5;
            if (special)
            {
                Assert.AreEqual(-100L, labels[i], "special and padding tokens are never chosen");
                Assert.AreEqual(original[i], ids[i]);
                continue;
            }
            eligible++;
            if (labels[i] == -100) { Assert.AreEqual(original[i], ids[i], "unchosen tokens are unchanged"); continue; }
            chosen++;
            Assert.AreEqual(original[i], labels[i], "the label is the original token");
            if (ids[i] == 4) masked++;
            else if (ids[i] != original[i]) replaced++;
            else kept++;
        }
        Assert.IsGreaterThan(8000, eligible);
        Assert.AreEqual(0.15, (double)chosen / eligible, 0.01, "share chosen");
        Assert.AreEqual(0.8, (double)masked / chosen, 0.03, "share [MASK]");
        Assert.AreEqual(0.1, (double)replaced / chosen, 0.025, "share random");
        Assert.AreEqual(0.1 + 0.1 / 59, (double)kept / chosen, 0.025, "share unchanged (plus random draws of the same token)");
        Assert.AreEqual(ids.Length - eligible, mask.Count(m => m == 0) + sequences.Length * 2, "specials are [CLS], [SEP] and padding");
    }

    [TestMethod]
    public void CreateBatch_WholeWordMasking_ChoosesAWordsPiecesTogether()
    {
        // Ids 6 and 9 are "##" pieces in the synthetic vocabulary, so "w5 ##w6" and "w8 ##w9" are words.
        var tokenizer = TinyWordTokenizer.Synthetic(16);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny(16)), tokenizer, new MaskingOptions { WholeWordMasking = true, Probability = 0.5 });
        var sequence = tokenizer.Encode(string.Join(' ', Enumerable.Repeat("w5 ##w6 w7 w8 ##w9", 40)));

        using var batch = mlm.CreateBatch([sequence], new Random(1));

        long[] labels = batch.Labels!.data<long>().ToArray();
        int words = 0;
        for (int i = 1; i + 1 < labels.Length; i++)
            if (sequence[i] is 6 or 9)
            {
                Assert.AreEqual(labels[i - 1] == -100, labels[i] == -100, $"piece at {i} must share its word's decision");
                if (labels[i] != -100) words++;
            }
        Assert.IsGreaterThan(10, words, "some words were chosen");
    }

    [TestMethod]
    public void DecoderWeight_IsTheWordEmbeddingTable_SameStorageAfterTraining()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var task = new PretrainingTask(mlm, tokenizer, Corpus(tokenizer, 20), new PretrainingOptions { MaxLength = 16, BatchSize = 8 });

        new Trainer(new TrainerOptions { Epochs = 1, LearningRate = 1e-3 }).Train(task);

        TensorAssert.SameStorage(mlm.DecoderWeight, mlm.Encoder.WordEmbeddings, "decoder and word embeddings share storage");
        Assert.IsFalse(mlm.named_parameters().Any(p => p.name.Contains("decoder")), "the tied decoder is not a second parameter, so the table is updated once per step");
    }

    [TestMethod]
    public void Train_ShortRunOnRepetitiveText_LossAndPerplexityFall()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        // Each document repeats one of four words: a masked token is predictable from its neighbours.
        var random = new Random(4);
        string[] words = ["w5", "w7", "w8", "w10"];
        var documents = Enumerable.Range(0, 48).Select(_ => string.Join(' ', Enumerable.Repeat(words[random.Next(4)], 14))).ToList();
        var task = new PretrainingTask(mlm, tokenizer, documents, new PretrainingOptions { MaxLength = 16, BatchSize = 16, Packing = false });
        var heldOut = words.Select(w => string.Join(' ', Enumerable.Repeat(w, 14))).ToList();
        var before = task.Evaluate(heldOut);

        var result = new Trainer(new TrainerOptions { Epochs = 10, LearningRate = 3e-3 }, schedule: new LlmFineTune.Training.Schedules.ConstantSchedule()).Train(task); // written for a constant rate; the default now decays
        var after = task.Evaluate(heldOut);

        Assert.IsLessThan(before.Perplexity * 0.25, after.Perplexity, $"perplexity {before.Perplexity:F1} -> {after.Perplexity:F1}");
        Assert.IsLessThan(result.History.Take(3).Average(h => h.Loss), result.History.TakeLast(3).Average(h => h.Loss));
        Assert.AreEqual(Math.Exp(after.Loss), after.Perplexity, 1e-9);
    }

    [TestMethod]
    public void MeanPaddedTokensPerBatch_IsTheMeanPaddedShapeOfTheEpochsBatches()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var random = new Random(6);
        var documents = Enumerable.Range(0, 30).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 20)).Select(_ => tokenizer[random.Next(5, 32)]))).ToList();
        var task = new PretrainingTask(mlm, tokenizer, documents, new PretrainingOptions { MaxLength = 16, BatchSize = 4 });

        double? mean = task.MeanPaddedTokensPerBatch(epoch: 1, seed: 3);

        double expected = task.Batches(epoch: 1, seed: 3, skip: 0).Select(b => { using (b) return (double)b.InputIds.numel(); }).Average();
        Assert.AreEqual(expected, mean!.Value, 1e-9);
        Assert.IsNull(new PretrainingTask(mlm, tokenizer, documents.Select(d => d), new PretrainingOptions { MaxLength = 16, BatchSize = 4 }).MeanPaddedTokensPerBatch(1, 3),
            "a streamed corpus's batches are not known ahead");
    }

    [TestMethod]
    public void Batches_SameSeedAndSkip_RebuildTheSameMaskedBatches()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var task = new PretrainingTask(mlm, tokenizer, Corpus(tokenizer, 40), new PretrainingOptions { MaxLength = 16, BatchSize = 4 });

        var all = task.Batches(epoch: 2, seed: 7, skip: 0).Select(Flatten).ToList();
        var resumed = task.Batches(epoch: 2, seed: 7, skip: 3).Select(Flatten).ToList();
        var otherEpoch = task.Batches(epoch: 3, seed: 7, skip: 0).Select(Flatten).ToList();

        Assert.AreEqual(task.BatchesPerEpoch, (long)all.Count);
        CollectionAssert.AreEqual(all.Skip(3).ToList(), resumed);
        CollectionAssert.AreNotEqual(all, otherEpoch);
    }

    [TestMethod]
    public void Sequences_Packing_FillsMaxLengthBetweenClsAndSep()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var task = new PretrainingTask(mlm, tokenizer, ["w5 w7 w8", "", "w10 w11 w13 w14 w16", "w17 w19"], new PretrainingOptions { MaxLength = 6, Packing = true });

        var sequences = task.Sequences(["w5 w7 w8", "", "w10 w11 w13 w14 w16", "w17 w19"]).ToList();

        // Content with [SEP] between documents: 5 7 8 | 10 11 13 14 16 | 17 19 = 12 ids, 4 per sequence.
        Assert.HasCount(3, sequences);
        CollectionAssert.AreEqual(new[] { 2, 5, 7, 8, 3, 3 }, sequences[0]);
        CollectionAssert.AreEqual(new[] { 2, 10, 11, 13, 14, 3 }, sequences[1]);
        CollectionAssert.AreEqual(new[] { 2, 16, 3, 17, 19, 3 }, sequences[2]);
    }

    [TestMethod]
    public void Sequences_NoPacking_CutsLongDocumentsAndNeverJoinsTwo()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var task = new PretrainingTask(mlm, tokenizer, [], new PretrainingOptions { MaxLength = 6 });

        var sequences = task.Sequences(["w5 w7 w8", "", "w10 w11 w13 w14 w16", "w17 w19"]).ToList();

        // Room for 4 ids between [CLS] and [SEP]: the 5-word document is cut in two, nothing is dropped.
        Assert.HasCount(4, sequences);
        CollectionAssert.AreEqual(new[] { 2, 5, 7, 8, 3 }, sequences[0]);
        CollectionAssert.AreEqual(new[] { 2, 10, 11, 13, 14, 3 }, sequences[1]);
        CollectionAssert.AreEqual(new[] { 2, 16, 3 }, sequences[2]);
        CollectionAssert.AreEqual(new[] { 2, 17, 19, 3 }, sequences[3]);
    }

    [TestMethod]
    public void Batches_NoPacking_GroupSimilarLengths()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var random = new Random(3);
        var documents = Enumerable.Range(0, 64).Select(_ => string.Join(' ', Enumerable.Range(0, random.Next(1, 14)).Select(_ => $"w{random.Next(5, 32)}"))).ToList();
        var task = new PretrainingTask(mlm, tokenizer, documents, new PretrainingOptions { MaxLength = 16, BatchSize = 8 });

        long padded = 0, real = 0;
        foreach (var batch in task.Batches(epoch: 0, seed: 1, skip: 0))
            using (batch)
            {
                padded += batch.InputIds.numel();
                real += batch.AttentionMask.sum().item<long>();
            }

        // Lengths 3..15 drawn uniformly pad to about 2x in random batches of 8; sorted ones barely pad.
        Assert.IsLessThan(1.15, (double)padded / real, $"{padded} padded ids for {real} real ones");
    }

    [TestMethod]
    public void Constructor_TokenizerWithoutMask_ThrowsNamingTheFix()
    {
        var tokenizer = new LlmFineTune.Tokenization.HashingTokenizer(new() { Buckets = 30 });

        var e = Assert.ThrowsExactly<ArgumentException>(() => new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer));

        Assert.Contains("[MASK]", e.Message);
    }

    [TestMethod]
    public void LossAndEvaluate_ManySteps_LiveTensorCountStaysFlat()
    {
        var tokenizer = TinyWordTokenizer.Synthetic(32);
        using var mlm = new MaskedLanguageModel(new BertBackbone(BertBackboneTests.Tiny()), tokenizer);
        var task = new PretrainingTask(mlm, tokenizer, Corpus(tokenizer, 24), new PretrainingOptions { MaxLength = 16, BatchSize = 4 });
        var live = new List<long>();

        foreach (var batch in task.Batches(epoch: 1, seed: 1, skip: 0))
        {
            using (var scope = NewDisposeScope())
            using (batch)
                task.Loss(batch).backward();
            task.Evaluate(Corpus(tokenizer, 2, seed: 5));
            live.Add(TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        Assert.IsGreaterThan(4, live.Count);
        Assert.AreEqual(live[1], live[^1], $"live tensors per step: {string.Join(", ", live)}");
    }

    private static string Flatten(LlmFineTune.Batching.Batch batch)
    {
        using (batch)
            return string.Join(',', batch.InputIds.data<long>().ToArray()) + "|" + string.Join(',', batch.Labels!.data<long>().ToArray());
    }

    /// <summary>Documents of a learnable pattern: each runs up an arithmetic progression of word ids.</summary>
    internal static List<string> Corpus(TinyWordTokenizer tokenizer, int count, int seed = 1)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            int start = random.Next(5, 32), step = random.Next(1, 3);
            return string.Join(' ', Enumerable.Range(0, 12).Select(i => tokenizer[5 + (start - 5 + i * step) % 27]));
        }).ToList();
    }

    private static long[] PaddedOriginal(int[][] sequences, int width)
    {
        var padded = new long[sequences.Length * width];
        for (int r = 0; r < sequences.Length; r++)
            for (int c = 0; c < sequences[r].Length; c++)
                padded[r * width + c] = sequences[r][c];
        return padded;
    }
}
