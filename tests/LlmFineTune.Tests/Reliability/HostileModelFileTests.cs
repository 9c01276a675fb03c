using System.Text.Json.Nodes;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tests.Training;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Checkpoints;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Reliability;

/// <summary>Crafted model directories: each is refused with an <see cref="InvalidDataException"/> naming the file and the fix, before anything large is allocated.</summary>
[TestClass]
public sealed class HostileModelFileTests
{
    private string root = "";

    [TestInitialize]
    public void Setup() => root = Directory.CreateTempSubdirectory("llmft-hostile-").FullName;

    [TestCleanup]
    public void Cleanup() => Directory.Delete(root, recursive: true);

    [TestMethod]
    [DataRow("bag", "hidden_size", "\"eight\"", "field 'hidden_size' must be an integer", DisplayName = "wrong type")]
    [DataRow("bag", "vocab_size", "-5", "vocab_size must be at least 2", DisplayName = "negative size (bag)")]
    [DataRow("bag", "vocab_size", "2147483647", "more than model.safetensors", DisplayName = "huge vocabulary, refused before allocating 500 GB")]
    [DataRow("bag", "hidden_size", "1000000", "more than model.safetensors", DisplayName = "huge width, refused before allocating")]
    [DataRow("bag", "num_labels", "2000000000", "num_labels must be between 1 and", DisplayName = "absurd num_labels without id2label")]
    [DataRow("bag", "max_length", "0", "llmfinetune.max_length must be at least 1 (was 0)", DisplayName = "max_length below 1")]
    [DataRow("bag", "id2label", """{"0":"yes","1":"yes"}""", "appears twice", DisplayName = "duplicate class names")]
    [DataRow("bag", "id2label", """{"0":"no","7":"yes"}""", "id2label key '7'", DisplayName = "label ids with a gap")]
    [DataRow("bert", "num_hidden_layers", "-1", "num_hidden_layers must be at least 1", DisplayName = "negative layer count")]
    [DataRow("bert", "intermediate_size", "2000000000", "more than model.safetensors", DisplayName = "huge intermediate size, refused before allocating")]
    [DataRow("bert", "max_position_embeddings", "1.5", "must be an integer", DisplayName = "fractional size")]
    [DataRow("bert", "max_length", "100", "must be between 1 and max_position_embeddings (16) (was 100)", DisplayName = "max_length beyond the position table")]
    [DataRow("bert", "position_embedding_type", "\"relative_key\"", "position_embedding_type = 'relative_key' is not supported; the BERT encoder implements position_embedding_type = 'absolute' only", DisplayName = "relative position embeddings (BERT)")]
    [DataRow("bert", "is_decoder", "true", "is_decoder = true is not supported", DisplayName = "is_decoder (BERT)")]
    [DataRow("bert", "add_cross_attention", "true", "add_cross_attention = true is not supported", DisplayName = "cross-attention (BERT)")]
    public void Load_HostileConfig_InvalidDataExceptionNamingFileAndField(string kind, string field, string json, string expected)
    {
        string directory = Saved(kind);
        string path = Path.Combine(directory, ModelDirectory.ConfigFileName);
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        // The library's own keys live in the llmfinetune section.
        var owner = field == "max_length" ? config["llmfinetune"]!.AsObject() : config;
        if (field == "num_labels") config.Remove("id2label");
        owner[field] = JsonNode.Parse(json);
        File.WriteAllText(path, config.ToJsonString());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));

        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message, "the message names the file");
    }

    [TestMethod]
    public void Load_ConfigRepeatsAKey_InvalidDataException()
    {
        string directory = Saved("bag");
        string path = Path.Combine(directory, ModelDirectory.ConfigFileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"hidden_size\"", "\"vocab_size\": 3, \"hidden_size\"", StringComparison.Ordinal));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));

        Assert.Contains("repeats a key", e.Message);
    }

    [TestMethod]
    public void Load_TokenizerLargerThanEmbeddingTable_RejectedBeforeAnyForward()
    {
        string directory = Saved("bag");
        string path = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        var settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        settings["buckets"] = 4096;
        File.WriteAllText(path, settings.ToJsonString());

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));

        Assert.Contains("4097 ids but the backbone's embedding table has 65 rows", e.Message);
    }

    [TestMethod]
    public void Load_NaNWeight_RejectedNamingTensor()
    {
        using (var model = ModelFixtures.Bag())
        {
            using (no_grad())
                model.Network.parameters().Last().flatten()[1] = float.NaN;
            model.Save(Path.Combine(root, "nan"));
        }

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(Path.Combine(root, "nan")));

        Assert.Contains("holds 1 NaN or infinite value(s)", e.Message);
        Assert.Contains("model.safetensors: tensor '", e.Message);
    }

    [TestMethod]
    [DataRow(ScalarType.Int32, "I32")]
    [DataRow(ScalarType.Int64, "I64")]
    [DataRow(ScalarType.Bool, "BOOL")]
    public void LoadInto_IntegerDataForFloatParameter_Rejected(ScalarType type, string dtype)
    {
        string path = Path.Combine(root, "ints.safetensors");
        using (var ints = ones(3, dtype: type))
        {
            // The writer stores floats only, so write the header by hand.
            var entry = new JsonObject { ["dtype"] = dtype, ["shape"] = new JsonArray(3), ["data_offsets"] = new JsonArray(0, ints.bytes.Length) };
            var header = System.Text.Encoding.UTF8.GetBytes(new JsonObject { ["w"] = entry }.ToJsonString());
            File.WriteAllBytes(path, [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. ints.bytes.ToArray()]);
        }
        using var target = zeros(3);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.LoadInto(path, new Dictionary<string, Tensor> { ["w"] = target }));

        Assert.Contains($"tensor 'w' is {dtype}, but the model's parameter is floating point", e.Message);
        Assert.AreEqual(0f, target.sum().item<float>(), "nothing was copied");
    }

    [TestMethod]
    public void Load_TokenizerConfigNamesAFileOutsideTheDirectory_OnlyTheDirectorysOwnVocabularyIsRead()
    {
        string directory = Directory.CreateDirectory(Path.Combine(root, "wordpiece")).FullName;
        WordPieceTokenizer.FromTokens(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "inside"]).Save(directory);
        string outside = Path.Combine(root, "outside-vocab.txt");
        File.WriteAllLines(outside, ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "secret", "more", "tokens"]);
        string path = Path.Combine(directory, HashingTokenizer.ConfigFileName);
        var settings = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        // Hugging Face configs may carry file names; the library takes none from configuration.
        settings["vocab_file"] = "../outside-vocab.txt";
        settings["tokenizer_file"] = outside;
        File.WriteAllText(path, settings.ToJsonString());

        var tokenizer = Tokenizers.Load(directory);

        Assert.AreEqual(6, tokenizer.VocabularySize);
    }

    [TestMethod]
    public void Resume_ManifestListsAPathOutsideTheCheckpoint_Rejected()
    {
        var data = TinyModels.SingleLabel(perClass: 4, seed: 1);
        var store = new DirectoryCheckpointStore(Path.Combine(root, "checkpoints"));
        using (var model = TinyModels.Create(data))
            new Trainer(new TrainerOptions { MaxSteps = 2, BatchSize = 4, CheckpointEverySteps = 2 }, checkpoints: store).Train(model, data);
        string checkpoint = store.Latest()!;
        string manifest = Path.Combine(checkpoint, "training_state", "trainer_state.json");
        var json = JsonNode.Parse(File.ReadAllText(manifest))!.AsObject();
        File.WriteAllText(Path.Combine(root, "victim.bin"), "x");
        json["files"]!["../../victim.bin"] = 1;
        File.WriteAllText(manifest, json.ToJsonString());

        using var again = TinyModels.Create(data);
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
            new Trainer(new TrainerOptions { MaxSteps = 4, BatchSize = 4, ResumeFrom = checkpoint }).Train(again, data));

        Assert.Contains("lists '../../victim.bin', which is not a checkpoint file", e.Message);
    }

    [TestMethod]
    public void Load_HeadTensorsRemovedFromWeights_InvalidDataExceptionNamingThem()
    {
        string directory = Saved("bag");
        using (var model = ModelFixtures.Bag())
            SafeTensors.Write(Path.Combine(directory, ModelDirectory.WeightsFileName), model.Network.named_parameters()
                .Where(p => !p.name.StartsWith("head.", StringComparison.Ordinal)).Select(p => (p.name, (Tensor)p.parameter)));

        // Before: loaded with exit 0 and a fresh random head, answering differently every run.
        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));

        Assert.Contains("2 tensor(s) the model needs are missing: 'classifier.", e.Message);
        Assert.Contains("'classifier.weight'", e.Message);
        Assert.Contains("'classifier.bias'", e.Message);
    }

    [TestMethod]
    public void Load_ExtraTensorAndMissingOne_MessageReportsBoth()
    {
        string directory = Saved("bag");
        using (var model = ModelFixtures.Bag())
        using (var extra = zeros(3))
            SafeTensors.Write(Path.Combine(directory, ModelDirectory.WeightsFileName), model.Network.named_parameters()
                .Where(p => p.name != "head.classifier.bias").Select(p => (p.name.Replace("head.", "", StringComparison.Ordinal), (Tensor)p.parameter)).Append(("pooler.dense.weight", extra)));

        var e = Assert.ThrowsExactly<InvalidDataException>(() => TextClassifier.Load(directory));

        Assert.Contains("missing: 'classifier.bias'", e.Message);
        Assert.Contains("the file has 1 the model does not use: 'pooler.dense.weight'", e.Message);
    }

    [TestMethod]
    public void Load_ExtraTensor_LoadsAndWarnsNamingIt()
    {
        string directory = Saved("bag");
        using (var model = ModelFixtures.Bag())
        using (var extra = zeros(3))
            SafeTensors.Write(Path.Combine(directory, ModelDirectory.WeightsFileName), model.Network.named_parameters()
                .Select(p => (p.name.Replace("head.", "", StringComparison.Ordinal), (Tensor)p.parameter)).Append(("pooler.dense.weight", extra)));
        var logger = new WarningRecorder();

        using var loaded = TextClassifier.Load(directory, logger: logger);

        Assert.HasCount(1, logger.Warnings);
        Assert.Contains("1 tensor(s) are not used by the model and were ignored: pooler.dense.weight", logger.Warnings[0]);
    }

    [TestMethod]
    [DataRow(ModelDirectory.WeightsFileName, DisplayName = "FIFO as model.safetensors")]
    [DataRow(ModelDirectory.ConfigFileName, DisplayName = "FIFO as config.json")]
    public void Load_FifoInPlaceOfAModelFile_RefusedWithoutHanging(string file)
    {
        string directory = Saved("bag");
        string fifo = Path.Combine(directory, file);
        File.Delete(fifo);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
            mkfifo.WaitForExit();

        var load = Task.Run(() => TextClassifier.Load(directory));
        bool finished = ((IAsyncResult)load).AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(10));
        if (!finished)
        {
            using (new FileStream(fifo, FileMode.Open, FileAccess.Write)) { } // releases the blocked reader
            Assert.Fail($"Loading hung on the FIFO {file}.");
        }

        var e = Assert.ThrowsExactly<InvalidDataException>(() => load.GetAwaiter().GetResult());
        Assert.Contains($"{file}: the file is empty, or not a regular file (a pipe, socket or device)", e.Message);
    }

    private sealed class WarningRecorder : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == Microsoft.Extensions.Logging.LogLevel.Warning) Warnings.Add(formatter(state, exception));
        }
    }

    private string Saved(string kind) => ModelFixtures.Save(kind == "bag" ? ModelFixtures.Bag() : ModelFixtures.Bert(), root, kind);
}
