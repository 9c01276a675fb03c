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
        var encoder = new TransformerEncoder(ReadEncoderConfig(directory));
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
        var model = new MaskedLanguageModel(new TransformerEncoder(ReadEncoderConfig(directory)), tokenizer, options);
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
        var tokenizer = tokenizerKind == nameof(HashingTokenizer)
            ? HashingTokenizer.Load(directory)
            : tokenizerLoader?.Invoke(directory)
              ?? throw new InvalidDataException($"{path}: the tokenizer is '{(tokenizerKind.Length == 0 ? "unspecified" : tokenizerKind)}', which this library cannot rebuild on its own. Pass a tokenizer loader to TextClassifier.Load.");

        IBackbone backbone = backboneKind switch
        {
            TransformerEncoder.KindName => new TransformerEncoder(ReadEncoderConfig(directory)),
            "bag" => new BagOfNgrams(JsonFiles.GetInt(json, "vocab_size", path), JsonFiles.GetInt(json, "hidden_size", path)),
            _ => throw new InvalidDataException($"{path}: {Section}.backbone '{backboneKind}' is unknown. Known: bert, bag."),
        };
        int maxLength = section["max_length"] is null
            ? Math.Min(512, (backbone as TransformerEncoder)?.Config.MaxPositionEmbeddings ?? 512)
            : JsonFiles.GetInt(section, "max_length", path + " " + Section);
        string headKind = section["head"] is null ? nameof(SingleLabelHead) : JsonFiles.GetString(section, "head", path + " " + Section);
        ITaskHead head = headKind switch
        {
            nameof(SingleLabelHead) => new SingleLabelHead(backbone.HiddenSize, labels.Count),
            nameof(MultiLabelHead) => new MultiLabelHead(backbone.HiddenSize, labels.Count),
            nameof(RegressionHead) => new RegressionHead(backbone.HiddenSize),
            _ => throw new InvalidDataException($"{path}: {Section}.head '{headKind}' is unknown. Known: {nameof(SingleLabelHead)}, {nameof(MultiLabelHead)}, {nameof(RegressionHead)}."),
        };
        var model = new TextClassifier(tokenizer, backbone, head, labels, maxLength);
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

    /// <summary>The classifier's parameters under their file names: HF's for BERT (<c>bert.*</c>, <c>classifier.*</c>).</summary>
    private static Dictionary<string, Tensor> ClassifierParameters(TextClassifier model, string backbonePrefix)
    {
        var names = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.Network.named_parameters())
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
            return new LabelMap(Enumerable.Range(0, count).Select(i => "LABEL_" + i.ToString(CultureInfo.InvariantCulture)));
        }
        var names = new string[id2label.Count];
        foreach (var (key, value) in id2label)
        {
            if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id >= names.Length || names[id] is not null)
                throw new InvalidDataException($"{path}: id2label key '{key}' is not one of the ids 0..{names.Length - 1} (each once).");
            names[id] = value is JsonValue v && v.TryGetValue(out string? name) ? name : throw new InvalidDataException($"{path}: id2label['{key}'] must be a string.");
        }
        return new LabelMap(names);
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
