using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Quantization;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tests.Data;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using TorchSharp;

namespace LlmFineTune.Tests.Modeling;

[TestClass]
public sealed class ModelQuantizerTests
{
    private static long DirectoryBytes(string directory) => Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length);

    private static TextClassifier TrainedBag()
    {
        torch.manual_seed(13);
        var train = TestData.Topical(perClass: 30, seed: 4);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 8192 });
        var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 16), new SingleLabelHead(16, train.LabelMap.Count), train.LabelMap, maxLength: 64);
        new Trainer(new TrainerOptions { Epochs = 4, LearningRate = 0.05 }).Train(model, train);
        return model;
    }

    [TestMethod]
    public void Save_TrainedBag_UnderAQuarterOfTheSizeAndTheSameAnswers()
    {
        using var folder = new TempFolder();
        using var model = TrainedBag();
        string original = Path.Combine(folder.Path, "original");
        string small = Path.Combine(folder.Path, "small");
        model.Save(original);

        var result = ModelQuantizer.Save(model, small);

        using var loaded = TextClassifier.Load(small);
        var texts = TestData.Topical(perClass: 10, seed: 21).Select(e => e.Text).ToArray();
        var expected = model.PredictBatch(texts);
        var actual = loaded.PredictBatch(texts);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.AreEqual(expected[i].Label, actual[i].Label, texts[i]);
            // Pruned rows (n-grams training never moved off their random start) load as zeros, which shifts scores a little.
            Assert.AreEqual(expected[i].Score, actual[i].Score, 0.1f, texts[i]);
        }
        Assert.AreEqual(DirectoryBytes(small), result.DirectoryBytes);
        Assert.IsLessThan(DirectoryBytes(original) / 4, result.DirectoryBytes);
        Assert.AreEqual(8193L, result.TotalRows);
        Assert.IsTrue(result.KeptRows is > 0 and < 8193, $"kept {result.KeptRows}");
        Assert.AreEqual(1, result.QuantizedMatrices, "the 4 x 16 head is stored as 16-bit floats");
        Assert.IsEmpty(Directory.GetDirectories(folder.Path).Where(d => d.Contains(".quantizing-") || d.Contains(".replaced-")).ToList());
    }

    [TestMethod]
    [DataRow(2, 0)]
    [DataRow(3, 0)]
    [DataRow(5, 100)]
    [DataRow(7, 0)]
    [DataRow(7, 100)]
    [DataRow(8, 0)]
    [DataRow(8, 100)]
    public void Load_QuantizedTable_EveryValueIsItsStoredIntegerTimesItsRowScale(int bits, int keepRows)
    {
        using var folder = new TempFolder();
        torch.manual_seed(5);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 256 });
        // 12 columns: a group of 8 packed values and a partial one
        using var model = new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 12), new SingleLabelHead(12, 2), new LabelMap(["a", "b"]), maxLength: 16);
        ModelQuantizer.Save(model, folder.Path, new QuantizationOptions { Bits = bits, KeepRows = keepRows, MinElements = 1 });

        using var loaded = TextClassifier.Load(folder.Path);

        float[] actual = ((BagOfNgrams)loaded.Backbone).Table.data<float>().ToArray();
        CollectionAssert.AreEqual(Decoded(Path.Combine(folder.Path, ModelDirectory.WeightsFileName), "backbone.embeddings.weight", bits, rows: 257, columns: 12), actual);
    }

    /// <summary>The table as the file stores it, decoded bit by bit from the format's description (not the loader's code).</summary>
    private static float[] Decoded(string path, string name, int bits, int rows, int columns)
    {
        var header = SafeTensors.ReadHeader(path);
        byte[] file = File.ReadAllBytes(path);
        long dataStart = 8 + (long)BitConverter.ToUInt64(file, 0);
        byte[] Bytes(string tensor) => file[(int)(dataStart + header[tensor].Begin)..(int)(dataStart + header[tensor].End)];
        string matrix = name + (bits == 8 ? ":int8" : $":int{bits}");
        byte[] integers = Bytes(matrix);
        byte[] scales = Bytes(name + ":scale");
        int[] kept = header.ContainsKey(name + ":rows") ? Enumerable.Range(0, (int)header[name + ":rows"].Shape[0]).Select(i => BitConverter.ToInt32(Bytes(name + ":rows"), 4 * i)).ToArray() : Enumerable.Range(0, rows).ToArray();
        int stride = (int)header[matrix].Shape[1];
        var table = new float[rows * columns];
        for (int i = 0; i < kept.Length; i++)
        {
            float scale = header[name + ":scale"].DType == "F16" ? (float)BitConverter.ToHalf(scales, 2 * i) : BitConverter.ToSingle(scales, 4 * i);
            for (int c = 0; c < columns; c++)
            {
                long value = 0;
                if (bits == 8) value = (sbyte)integers[i * stride + c];
                else
                {
                    for (int b = 0; b < bits; b++)
                    {
                        int bit = c * bits + b; // bit position within the row: eight values fill `bits` bytes, lowest bits first
                        value |= (long)((integers[i * stride + bit / 8] >> (bit % 8)) & 1) << b;
                    }
                    value -= 1L << (bits - 1);
                }
                table[kept[i] * columns + c] = value * scale;
            }
        }
        return table;
    }

    [TestMethod]
    public void Save_KeepRows_KeepsThatManyRowsOfLargestNormAndZeroesTheRest()
    {
        using var folder = new TempFolder();
        using var model = TrainedBag();
        string small = Path.Combine(folder.Path, "small");

        var result = ModelQuantizer.Save(model, small, new QuantizationOptions { KeepRows = 300 });

        Assert.AreEqual(300L, result.KeptRows);
        using var loaded = TextClassifier.Load(small);
        var table = ((BagOfNgrams)model.Backbone).parameters().Single();
        var loadedTable = ((BagOfNgrams)loaded.Backbone).parameters().Single();
        float[] norms = table.norm(1).data<float>().ToArray();
        float[] loadedNorms = loadedTable.norm(1).data<float>().ToArray();
        float threshold = norms.OrderDescending().ElementAt(299);
        Assert.AreEqual(300, loadedNorms.Count(n => n > 0));
        for (int row = 0; row < norms.Length; row++)
        {
            if (loadedNorms[row] == 0) continue;
            Assert.IsGreaterThanOrEqualTo(threshold, norms[row], $"row {row} kept with norm {norms[row]}");
            Assert.AreEqual(norms[row], loadedNorms[row], norms[row] / 50, $"row {row}: 7 bits keep the norm within 2%");
        }
    }

    [TestMethod]
    public void Save_BertBackbone_EveryLargeMatrixQuantizedAndCloseLogits()
    {
        using var folder = new TempFolder();
        torch.manual_seed(3);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 255 });
        var config = new BertBackboneConfig { VocabSize = 256, HiddenSize = 32, NumHiddenLayers = 2, NumAttentionHeads = 2, IntermediateSize = 64, MaxPositionEmbeddings = 64 };
        var labels = new LabelMap(["a", "b", "c"]);
        using var model = new TextClassifier(tokenizer, new BertBackbone(config), new SingleLabelHead(32, labels.Count), labels, maxLength: 32);
        string original = Path.Combine(folder.Path, "original");
        string small = Path.Combine(folder.Path, "small");
        model.Save(original);

        var result = ModelQuantizer.Save(model, small, new QuantizationOptions { MinElements = 1024 });

        using var loaded = TextClassifier.Load(small);
        Assert.AreEqual(32, ((BertBackbone)loaded.Backbone).Config.MaxPositionEmbeddings, "position rows past the max length (32) are never read, so they are dropped");
        string[] texts = ["the market fell today", "a comet and a rocket", "bake the bread in the oven"];
        var expected = model.PredictBatch(texts);
        var actual = loaded.PredictBatch(texts);
        for (int i = 0; i < texts.Length; i++)
            foreach (var (label, score) in expected[i].Scores)
                Assert.AreEqual(score, actual[i].Scores[label], 0.02f, $"{texts[i]}: {label}");
        // word and position embeddings, the pooler, and per layer Q, K, V, attention output, intermediate and output
        Assert.AreEqual(3 + 2 * 6, result.QuantizedMatrices);
        Assert.AreEqual(0L, result.TotalRows);
        // 7 bits plus a 16-bit scale per 32-wide row is 23 % of float32, half the position table is gone, and biases and
        // LayerNorms take 16 bits; the header's names weigh in a model this small (27.6 %)
        Assert.IsLessThan(0.30, (double)new FileInfo(Path.Combine(small, ModelDirectory.WeightsFileName)).Length / new FileInfo(Path.Combine(original, ModelDirectory.WeightsFileName)).Length);
    }

    [TestMethod]
    public void Save_Gpt2Classifier_DropsPositionRowsPastMaxLengthAndScoresClose()
    {
        using var folder = new TempFolder();
        torch.manual_seed(4);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 255 });
        var config = new CausalDecoderConfig { VocabSize = 256, NPositions = 64, NEmbd = 32, NLayer = 2, NHead = 2 };
        var labels = new LabelMap(["a", "b"]);
        using var model = new TextClassifier(tokenizer, new CausalDecoder(config), new SingleLabelHead(32, labels.Count, new HeadOptions { Pooling = PoolingMode.Mean }), labels, maxLength: 16);
        string small = Path.Combine(folder.Path, "small");

        ModelQuantizer.Save(model, small, new QuantizationOptions { MinElements = 256 });

        using var loaded = TextClassifier.Load(small);
        Assert.AreEqual(16, ((CausalDecoder)loaded.Backbone).Config.NPositions);
        string[] texts = ["the market fell today", "a comet and a rocket"];
        var expected = model.PredictBatch(texts);
        var actual = loaded.PredictBatch(texts);
        for (int i = 0; i < texts.Length; i++)
            Assert.AreEqual(expected[i].Scores["a"], actual[i].Scores["a"], 0.02f, texts[i]);
    }

    [TestMethod]
    public void Save_OverAnExistingModel_ReplacesItWhole()
    {
        using var folder = new TempFolder();
        using var model = TrainedBag();
        string small = Path.Combine(folder.Path, "small");
        model.Save(small);
        long before = DirectoryBytes(small);

        var result = ModelQuantizer.Save(model, small);

        Assert.IsLessThan(before / 4, DirectoryBytes(small));
        Assert.AreEqual(result.DirectoryBytes, DirectoryBytes(small));
        using var loaded = TextClassifier.Load(small);
        Assert.AreEqual(model.Labels.Count, loaded.Labels.Count);
    }

    [TestMethod]
    public void Save_IntoADirectoryThatHoldsNoModel_RefusedAndUntouched()
    {
        using var folder = new TempFolder();
        using var model = TrainedBag();
        string stale = folder.Write("small/notes.txt", "the user's own file");

        Assert.ThrowsExactly<IOException>(() => ModelQuantizer.Save(model, Path.GetDirectoryName(stale)!));

        Assert.AreEqual("the user's own file", File.ReadAllText(stale));
    }

    [TestMethod]
    public void Load_QuantizedRowsOutOfOrder_ThrowsNamingTheTensor()
    {
        using var folder = new TempFolder();
        using var model = TrainedBag();
        string small = Path.Combine(folder.Path, "small");
        ModelQuantizer.Save(model, small, new QuantizationOptions { KeepRows = 300 });
        string weights = Path.Combine(small, ModelDirectory.WeightsFileName);
        var header = SafeTensors.ReadHeader(weights);
        var tensors = header.Values.ToDictionary(e => e.Name, e => torch.empty(e.Shape, e.DType switch { "I8" => torch.ScalarType.Int8, "U8" => torch.ScalarType.Byte, "I32" => torch.ScalarType.Int32, "F16" => torch.ScalarType.Float16, _ => torch.ScalarType.Float32 }));
        SafeTensors.LoadInto(weights, tensors);
        string rowsName = header.Keys.Single(k => k.EndsWith(":rows", StringComparison.Ordinal));
        tensors[rowsName] = tensors[rowsName].flip(0); // decreasing
        SafeTensors.Write(weights, tensors.Select(t => (t.Key, t.Value)));
        File.Delete(Path.Combine(small, ModelManifest.FileName)); // an edit on purpose, past the mixed-save check

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(small));

        StringAssert.StartsWith(e.Message, $"{weights}: tensor '{rowsName}' must list rows in increasing order within [0, 8193) (entry 1 is ");
    }

    [TestMethod]
    [DataRow(1)]
    [DataRow(9)]
    public void Save_BitsOutOfRange_ThrowsNamingTheOption(int bits)
    {
        using var model = TrainedBag();

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelQuantizer.Save(model, Path.GetTempPath(), new QuantizationOptions { Bits = bits }));

        Assert.AreEqual("Bits", e.ParamName);
    }

    [TestMethod]
    public void Save_NegativeKeepRows_ThrowsNamingTheOption()
    {
        using var model = TrainedBag();

        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ModelQuantizer.Save(model, Path.GetTempPath(), new QuantizationOptions { KeepRows = -1 }));

        Assert.AreEqual("KeepRows", e.ParamName);
    }
}
