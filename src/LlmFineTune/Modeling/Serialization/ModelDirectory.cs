using Microsoft.Extensions.Options;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Pretraining;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// Saves and loads models in Hugging Face's directory layout: <c>config.json</c> (HF keys plus an
/// <c>llmfinetune</c> section), <c>model.safetensors</c> (HF parameter names for BERT) and the
/// tokenizer's own files. Every file is written to a temporary sibling and renamed into place.
/// </summary>
public static class ModelDirectory
{
    /// <summary>The configuration file's name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "model.safetensors";

    private const string Section = "llmfinetune";
    private const string BertPrefix = "bert.";
    private const string OwnBackbonePrefix = "backbone.";
    /// <summary>Most classes num_labels may ask for; a larger count is a corrupt file, not a model.</summary>
    private const int MaxLabels = 1 << 20;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Saves a pretraining checkpoint in HF <c>BertForMaskedLM</c> layout (encoder, MLM head, tokenizer).</summary>
    /// <param name="model">The masked-LM model.</param>
    /// <param name="tokenizer">Its tokenizer; its files are written next to the weights.</param>
    /// <param name="directory">Created if missing; existing files of the same names are replaced.</param>
    public static void SaveMaskedLanguageModel(MaskedLanguageModel model, ITokenizer tokenizer, string directory)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        tokenizer.Save(directory);
        // The decoder is the word embedding table; HF ties it on load, so it is not stored twice.
        SafeTensors.Write(Path.Combine(directory, WeightsFileName), model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)));
        var config = EncoderConfigJson(model.Encoder.Config, "BertForMaskedLM");
        config[Section] = new JsonObject { ["backbone"] = TransformerEncoder.KindName, ["tokenizer"] = tokenizer.GetType().Name };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(Indented));
    }

    /// <summary>Loads the encoder of a BERT checkpoint (ours, or HF's <c>BertModel</c>/<c>BertForMaskedLM</c>/<c>BertForSequenceClassification</c>), for fine-tuning.</summary>
    /// <param name="directory">A directory with <c>config.json</c> and <c>model.safetensors</c>.</param>
    /// <returns>The encoder, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing, malformed, or lacks encoder weights; the message names the file and field.</exception>
    public static TransformerEncoder LoadEncoder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var encoder = NewEncoder(directory);
        try
        {
            var targets = encoder.named_parameters().ToDictionary(p => BertPrefix + p.name, p => (Tensor)p.parameter);
            LoadWeights(directory, targets, required: _ => true);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
        encoder.eval();
        return encoder;
    }

    /// <summary>Loads a masked-LM checkpoint to continue pretraining; a missing MLM head starts fresh.</summary>
    /// <param name="directory">A BERT checkpoint directory.</param>
    /// <param name="tokenizer">The checkpoint's tokenizer.</param>
    /// <param name="options">Masking settings; BERT's when null.</param>
    /// <returns>The model in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed, or encoder weights are missing.</exception>
    public static MaskedLanguageModel LoadMaskedLanguageModel(string directory, ITokenizer tokenizer, MaskingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var model = new MaskedLanguageModel(NewEncoder(directory), tokenizer, options);
        try
        {
            var targets = model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
            LoadWeights(directory, targets, required: name => name.StartsWith(BertPrefix, StringComparison.Ordinal));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>Reads the HF <c>BertConfig</c> keys of <c>config.json</c>, with HF's defaults for optional keys.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>A validated config.</returns>
    /// <exception cref="InvalidDataException">The file is missing, malformed or a field is out of range; the message names the field.</exception>
    public static TransformerEncoderConfig ReadEncoderConfig(string directory)
    {
        string path = Path.Combine(directory, ConfigFileName);
        var json = JsonFiles.ReadObject(path);
        string modelType = json["model_type"] is JsonValue t && t.TryGetValue(out string? type) ? type : TransformerEncoder.KindName;
        if (modelType != TransformerEncoder.KindName)
            throw new InvalidDataException($"{path}: model_type is '{modelType}', but only 'bert' checkpoints load as a TransformerEncoder.");
        var defaults = new TransformerEncoderConfig();
        var config = new TransformerEncoderConfig
        {
            VocabSize = JsonFiles.GetInt(json, "vocab_size", path),
            HiddenSize = JsonFiles.GetInt(json, "hidden_size", path),
            NumHiddenLayers = JsonFiles.GetInt(json, "num_hidden_layers", path),
            NumAttentionHeads = JsonFiles.GetInt(json, "num_attention_heads", path),
            IntermediateSize = JsonFiles.GetInt(json, "intermediate_size", path),
            HiddenAct = json["hidden_act"] is null ? defaults.HiddenAct : JsonFiles.GetString(json, "hidden_act", path),
            HiddenDropoutProb = Double(json, "hidden_dropout_prob", defaults.HiddenDropoutProb, path),
            AttentionProbsDropoutProb = Double(json, "attention_probs_dropout_prob", defaults.AttentionProbsDropoutProb, path),
            MaxPositionEmbeddings = json["max_position_embeddings"] is null ? defaults.MaxPositionEmbeddings : JsonFiles.GetInt(json, "max_position_embeddings", path),
            TypeVocabSize = json["type_vocab_size"] is null ? defaults.TypeVocabSize : JsonFiles.GetInt(json, "type_vocab_size", path),
            LayerNormEps = Double(json, "layer_norm_eps", defaults.LayerNormEps, path),
            InitializerRange = Double(json, "initializer_range", defaults.InitializerRange, path),
            PadTokenId = json["pad_token_id"] is null ? 0 : JsonFiles.GetInt(json, "pad_token_id", path),
        };
        try
        {
            config.Validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return config;
    }

    /// <summary>Writes a classifier: config with labels and the <c>llmfinetune</c> section, weights, tokenizer files.</summary>
    internal static void SaveClassifier(TextClassifier model, string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        model.Tokenizer.Save(directory);
        string backbonePrefix = model.Backbone.Kind == TransformerEncoder.KindName ? BertPrefix : OwnBackbonePrefix;
        SafeTensors.Write(Path.Combine(directory, WeightsFileName), ClassifierParameters(model, backbonePrefix).Select(p => (p.Key, p.Value)));

        JsonObject config = model.Backbone switch
        {
            TransformerEncoder encoder => EncoderConfigJson(encoder.Config, "BertForSequenceClassification"),
            BagOfNgrams bag => new JsonObject
            {
                ["architectures"] = new JsonArray("LlmFineTuneBagClassifier"),
                ["model_type"] = "llmfinetune-bag",
                ["vocab_size"] = bag.VocabularySize,
                ["hidden_size"] = bag.HiddenSize,
            },
            _ => throw new NotSupportedException($"Saving a {model.Backbone.GetType().Name} backbone is not supported; supported: {nameof(TransformerEncoder)}, {nameof(BagOfNgrams)}."),
        };
        config["problem_type"] = model.Head.Kind switch
        {
            TaskKind.MultiLabel => "multi_label_classification",
            TaskKind.Regression => "regression",
            _ => "single_label_classification",
        };
        config["num_labels"] = model.Labels.Count;
        config["id2label"] = new JsonObject(model.Labels.Select((name, id) => KeyValuePair.Create(id.ToString(CultureInfo.InvariantCulture), (JsonNode?)name)));
        config["label2id"] = new JsonObject(model.Labels.Select((name, id) => KeyValuePair.Create(name, (JsonNode?)id)));
        config[Section] = new JsonObject
        {
            ["backbone"] = model.Backbone.Kind,
            ["head"] = model.Head.GetType().Name,
            ["head_options"] = model.Head is TaskHead builtIn ? HeadOptionsJson.Write(builtIn.Options) : null,
            ["max_length"] = model.MaxLength,
            ["tokenizer"] = model.Tokenizer.GetType().Name,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(Indented));
    }

    /// <summary>Reads a classifier saved by <see cref="SaveClassifier"/>, or a HF BERT checkpoint (a fresh head when it has no classifier weights).</summary>
    internal static TextClassifier LoadClassifier(string directory, Func<string, ITokenizer>? tokenizerLoader)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string path = Path.Combine(directory, ConfigFileName);
        var json = JsonFiles.ReadObject(path);
        var section = json[Section] as JsonObject ?? [];
        string backboneKind = section["backbone"] is null ? TransformerEncoder.KindName : JsonFiles.GetString(section, "backbone", path + " " + Section);
        var labels = ReadLabels(json, path);
        string tokenizerKind = section["tokenizer"] is null ? "" : JsonFiles.GetString(section, "tokenizer", path + " " + Section);
        var tokenizer = tokenizerLoader is null ? Tokenizers.Load(directory) : tokenizerLoader(directory);

        int positions = backboneKind == TransformerEncoder.KindName ? ReadEncoderConfig(directory).MaxPositionEmbeddings : int.MaxValue;
        int maxLength = section["max_length"] is null ? Math.Min(512, positions) : JsonFiles.GetInt(section, "max_length", path + " " + Section);
        if (maxLength < 1 || maxLength > positions)
            throw new InvalidDataException($"{path}: {Section}.max_length must be {(positions == int.MaxValue ? "at least 1" : $"between 1 and max_position_embeddings ({positions})")} (was {maxLength}).");
        string headKind = section["head"] is null ? nameof(SingleLabelHead) : JsonFiles.GetString(section, "head", path + " " + Section);
        var headOptions = HeadOptionsJson.Read(section["head_options"], path + " " + Section + ".head_options");

        IBackbone backbone = backboneKind switch
        {
            TransformerEncoder.KindName => NewEncoder(directory),
            "bag" => NewBag(json, path, directory),
            _ => throw new InvalidDataException($"{path}: {Section}.backbone '{backboneKind}' is unknown. Known: bert, bag."),
        };
        ITaskHead? head = null;
        TextClassifier model;
        try
        {
            int width = headOptions?.HiddenSize is > 0 and var h ? h : labels.Count; // an MLP head's hidden layer, or the output layer
            RequireWeightsFor(directory, (double)backbone.HiddenSize * width + (double)width * labels.Count);
            head = headKind switch
            {
                nameof(SingleLabelHead) => new SingleLabelHead(backbone.HiddenSize, labels.Count, headOptions),
                nameof(MultiLabelHead) => new MultiLabelHead(backbone.HiddenSize, labels.Count, headOptions),
                nameof(RegressionHead) => new RegressionHead(backbone.HiddenSize, headOptions),
                _ => throw new InvalidDataException($"{path}: {Section}.head '{headKind}' is unknown. Known: {nameof(SingleLabelHead)}, {nameof(MultiLabelHead)}, {nameof(RegressionHead)}."),
            };
            model = new TextClassifier(tokenizer, backbone, head, labels, maxLength);
        }
        catch (Exception e)
        {
            (head as IDisposable)?.Dispose();
            (backbone as IDisposable)?.Dispose();
            // The parts come from different files (config.json, the tokenizer's) and may not fit together.
            if (e is OptionsValidationException or ArgumentException)
                throw new InvalidDataException($"{path}: {(e is OptionsValidationException ? Section + ".head_options" : "the model directory's parts do not fit together")}: {e.Message}", e);
            throw;
        }
        try
        {
            string backbonePrefix = backboneKind == TransformerEncoder.KindName ? BertPrefix : OwnBackbonePrefix;
            // A HF encoder checkpoint without a classifier fine-tunes from a fresh head.
            LoadWeights(directory, ClassifierParameters(model, backbonePrefix), required: name => name.StartsWith(backbonePrefix, StringComparison.Ordinal));
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Builds the encoder config.json describes, after checking that the weights file could hold it.</summary>
    private static TransformerEncoder NewEncoder(string directory)
    {
        var c = ReadEncoderConfig(directory);
        double parameters = ((double)c.VocabSize + c.MaxPositionEmbeddings + c.TypeVocabSize) * c.HiddenSize
            + (double)c.NumHiddenLayers * (4.0 * c.HiddenSize * c.HiddenSize + 2.0 * c.HiddenSize * c.IntermediateSize);
        RequireWeightsFor(directory, parameters);
        return new TransformerEncoder(c);
    }

    private static BagOfNgrams NewBag(JsonObject json, string path, string directory)
    {
        int vocabularySize = JsonFiles.GetInt(json, "vocab_size", path);
        int hiddenSize = JsonFiles.GetInt(json, "hidden_size", path);
        if (vocabularySize < 2 || hiddenSize < 1)
            throw new InvalidDataException($"{path}: vocab_size must be at least 2 and hidden_size at least 1 (were {vocabularySize} and {hiddenSize}).");
        RequireWeightsFor(directory, (double)vocabularySize * hiddenSize);
        return new BagOfNgrams(vocabularySize, hiddenSize);
    }

    /// <summary>
    /// Refuses sizes that the weights file cannot back before anything is allocated: every backbone
    /// parameter must be in the file, at 2 bytes or more each (F16/BF16 is the smallest float dtype),
    /// so a config claiming more is corrupt or hostile, whatever memory the machine has. A head may
    /// be fresh (not in the file), but one larger than the whole file is refused the same way.
    /// </summary>
    private static void RequireWeightsFor(string directory, double parameters)
    {
        string path = Path.Combine(directory, WeightsFileName);
        // A corrupt weights file is reported as such, not as sizes it cannot hold.
        SafeTensors.ReadHeader(path);
        long length = new FileInfo(path).Length;
        if (parameters * 2 > length)
            throw new InvalidDataException($"{Path.Combine(directory, ConfigFileName)}: the sizes describe {parameters:N0} parameters, more than {WeightsFileName} ({length:N0} bytes) can hold. Check vocab_size, hidden_size, the layer sizes and head_options.");
    }

    /// <summary>The classifier's parameters under their file names: HF's for BERT (<c>bert.*</c>, <c>classifier.*</c>).</summary>
    private static Dictionary<string, Tensor> ClassifierParameters(TextClassifier model, string backbonePrefix)
    {
        var names = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        // head buffers (multi-label thresholds) are state too; backbone buffers are derived, not saved
        var headBuffers = model.Network.named_buffers().Where(b => b.name.StartsWith("head.", StringComparison.Ordinal));
        foreach (var (name, parameter) in model.Network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(headBuffers))
        {
            string fileName = name.StartsWith("backbone.", StringComparison.Ordinal) ? backbonePrefix + name["backbone.".Length..]
                : name.StartsWith("head.", StringComparison.Ordinal) ? name["head.".Length..]
                : name;
            names.Add(fileName, parameter);
        }
        return names;
    }

    private static void LoadWeights(string directory, IReadOnlyDictionary<string, Tensor> targets, Func<string, bool> required)
    {
        string path = Path.Combine(directory, WeightsFileName);
        var header = SafeTensors.ReadHeader(path);
        // HF BertModel checkpoints have no "bert." prefix; old TF-converted ones call LayerNorm's parameters gamma/beta.
        bool unprefixed = !header.Keys.Any(k => k.StartsWith(BertPrefix, StringComparison.Ordinal)) && header.ContainsKey("embeddings.word_embeddings.weight");
        string Rename(string name)
        {
            name = name.Replace("LayerNorm.gamma", "LayerNorm.weight", StringComparison.Ordinal).Replace("LayerNorm.beta", "LayerNorm.bias", StringComparison.Ordinal);
            return unprefixed && !name.StartsWith("cls.", StringComparison.Ordinal) && !name.StartsWith("classifier.", StringComparison.Ordinal) ? BertPrefix + name : name;
        }
        var (missing, _) = SafeTensors.LoadInto(path, targets, Rename);
        var lacking = missing.Where(required).ToList();
        if (lacking.Count > 0)
            throw new InvalidDataException($"{path}: {lacking.Count} tensor(s) the model needs are missing, e.g. '{string.Join("', '", lacking.Take(3))}'. Is this checkpoint of the architecture config.json describes?");
    }

    private static JsonObject EncoderConfigJson(TransformerEncoderConfig c, string architecture) => new()
    {
        ["architectures"] = new JsonArray(architecture),
        ["model_type"] = TransformerEncoder.KindName,
        ["vocab_size"] = c.VocabSize,
        ["hidden_size"] = c.HiddenSize,
        ["num_hidden_layers"] = c.NumHiddenLayers,
        ["num_attention_heads"] = c.NumAttentionHeads,
        ["intermediate_size"] = c.IntermediateSize,
        ["hidden_act"] = c.HiddenAct,
        ["hidden_dropout_prob"] = c.HiddenDropoutProb,
        ["attention_probs_dropout_prob"] = c.AttentionProbsDropoutProb,
        ["max_position_embeddings"] = c.MaxPositionEmbeddings,
        ["type_vocab_size"] = c.TypeVocabSize,
        ["layer_norm_eps"] = c.LayerNormEps,
        ["initializer_range"] = c.InitializerRange,
        ["pad_token_id"] = c.PadTokenId,
        ["position_embedding_type"] = "absolute",
    };

    private static LabelMap ReadLabels(JsonObject json, string path)
    {
        if (json["id2label"] is not JsonObject id2label)
        {
            int count = json["num_labels"] is null ? 2 : JsonFiles.GetInt(json, "num_labels", path);
            if (count is < 1 or > MaxLabels)
                throw new InvalidDataException($"{path}: num_labels must be between 1 and {MaxLabels} (was {count}).");
            return new LabelMap(Enumerable.Range(0, count).Select(i => "LABEL_" + i.ToString(CultureInfo.InvariantCulture)));
        }
        var names = new string[id2label.Count];
        foreach (var (key, value) in id2label)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= names.Length || names[id] is not null)
                throw new InvalidDataException($"{path}: id2label key '{key}' is not one of the ids 0..{names.Length - 1} (each once).");
            names[id] = value is JsonValue v && v.TryGetValue(out string? name) ? name : throw new InvalidDataException($"{path}: id2label['{key}'] must be a string.");
        }
        try
        {
            return new LabelMap(names);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: id2label: {e.Message}", e);
        }
    }

    private static double Double(JsonObject json, string field, double fallback, string path)
    {
        var node = json[field];
        if (node is null) return fallback;
        return node is JsonValue v && v.TryGetValue(out double value)
            ? value
            : throw new InvalidDataException($"{path}: field '{field}' must be a number (was {node.ToJsonString()}).");
    }
}
