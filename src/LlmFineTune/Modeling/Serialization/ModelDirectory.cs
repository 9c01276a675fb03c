using Microsoft.Extensions.Options;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Tokenization;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// Saves and loads models in Hugging Face's directory layout: <c>config.json</c> (HF keys plus an
/// <c>llmfinetune</c> section), <c>model.safetensors</c> (HF parameter names for BERT and GPT-2) and the
/// tokenizer's own files. A directory is written as a unit (built beside the target and swapped in, with a
/// manifest of its files), so a reader sees the old model or the new one, never a mix.
/// </summary>
public static class ModelDirectory
{
    /// <summary>The configuration file's name.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name.</summary>
    public const string WeightsFileName = "model.safetensors";

    private const string Section = "llmfinetune";
    /// <summary>Most classes num_labels may ask for; a larger count is a corrupt file, not a model.</summary>
    private const int MaxLabels = 1 << 20;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Loads the encoder of a BERT checkpoint (ours, or HF's <c>BertModel</c>/<c>BertForMaskedLM</c>/<c>BertForSequenceClassification</c>), for fine-tuning.</summary>
    /// <param name="directory">A directory with <c>config.json</c> and <c>model.safetensors</c>.</param>
    /// <returns>The encoder, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing, malformed, or lacks encoder weights; the message names the file and field.</exception>
    public static BertBackbone LoadEncoder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return ModelManifest.Read(directory, () => LoadWeightsInto(NewEncoder(directory), directory, CheckpointLayout.Bert, CheckpointLayout.Bert.BackbonePrefix, required: _ => true));
    }

    /// <summary>Loads the decoder of a GPT-2 checkpoint (ours, or HF's <c>GPT2Model</c>/<c>GPT2LMHeadModel</c>/<c>GPT2ForSequenceClassification</c>).</summary>
    /// <param name="directory">A directory with <c>config.json</c> (GPT2Config keys) and <c>model.safetensors</c>.</param>
    /// <returns>The decoder, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing, malformed, or lacks decoder weights; the message names the file and field.</exception>
    public static CausalDecoder LoadDecoder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return ModelManifest.Read(directory, () => LoadWeightsInto(NewDecoder(directory), directory, CheckpointLayout.Gpt2, CheckpointLayout.Gpt2.BackbonePrefix, required: _ => true));
    }

    /// <summary>Reads the HF <c>BertConfig</c> keys of <c>config.json</c>, with HF's defaults for optional keys.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>A validated config.</returns>
    /// <exception cref="InvalidDataException">The file is missing, malformed or a field is out of range; the message names the field.</exception>
    public static BertBackboneConfig ReadEncoderConfig(string directory)
    {
        string path = Path.Combine(directory, ConfigFileName);
        return HfConfigJson.ReadEncoder(JsonFiles.ReadObject(path), path);
    }

    /// <summary>Reads the HF <c>GPT2Config</c> keys of <c>config.json</c>, with HF's defaults for optional keys.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>A validated config.</returns>
    /// <exception cref="InvalidDataException">The file is missing or malformed, a field is out of range, or it asks for attention maths the decoder lacks; the message names the field.</exception>
    public static CausalDecoderConfig ReadDecoderConfig(string directory)
    {
        string path = Path.Combine(directory, ConfigFileName);
        return HfConfigJson.ReadDecoder(JsonFiles.ReadObject(path), path);
    }

    /// <summary>
    /// The backbone kind a <c>config.json</c> describes: the <c>llmfinetune</c> section's, else HF's
    /// <c>model_type</c>, else <c>bert</c> (old BERT checkpoints have neither).
    /// </summary>
    internal static string BackboneKind(JsonObject json, string path) =>
        json[Section] is JsonObject section && section["backbone"] is not null
            ? JsonFiles.GetString(section, "backbone", path + " " + Section)
            : HfConfigJson.ModelType(json, path, BertBackbone.KindName);

    /// <summary>The positions a transformer backbone embeds (its longest input); unlimited for the bag.</summary>
    internal static int MaxPositions(IBackbone backbone) => backbone.MaxPositions ?? int.MaxValue;

    /// <summary>Loads the backbone of a transformer checkpoint (BERT or GPT-2, as config.json says).</summary>
    /// <exception cref="InvalidDataException">The directory holds another kind of model, or a file is missing or malformed.</exception>
    internal static IBackbone LoadTransformer(string directory)
    {
        string path = Path.Combine(directory, ConfigFileName);
        return BackboneKind(JsonFiles.ReadObject(path), path) == CausalDecoder.KindName ? LoadDecoder(directory) : LoadEncoder(directory);
    }

    /// <summary>Writes a classifier: config with labels and the <c>llmfinetune</c> section, weights, tokenizer files.</summary>
    internal static void SaveClassifier(TextClassifier model, string directory) =>
        ModelManifest.Save(directory, (staging, saveId) => WriteClassifier(model, staging, saveId));

    internal static void WriteClassifier(TextClassifier model, string directory, string saveId)
    {
        model.Tokenizer.Save(directory);
        TokenizerConfig.AddModelFields(directory, model.MaxLength);
        SafeTensors.Write(Path.Combine(directory, WeightsFileName), ClassifierParameters(model, CheckpointLayout.Of(model.Backbone.Kind)).Select(p => (p.Key, p.Value)), SafeTensors.PyTorchMetadata);

        // Claims a Hugging Face classification class only when the model computes exactly what it computes.
        string? architecture = HfArchitecture.Of(model.Backbone, model.Head);
        JsonObject config = model.Backbone switch
        {
            BertBackbone encoder => HfConfigJson.Write(encoder.Config, architecture!),
            CausalDecoder decoder => HfConfigJson.Write(decoder.Config, architecture!),
            BagOfNgrams bag => new JsonObject
            {
                ["architectures"] = new JsonArray("LlmFineTuneBagClassifier"),
                ["model_type"] = "llmfinetune-bag",
                ["vocab_size"] = bag.VocabularySize,
                ["hidden_size"] = bag.HiddenSize,
            },
            _ => throw new NotSupportedException($"Saving a {model.Backbone.GetType().Name} backbone is not supported; supported: {nameof(BertBackbone)}, {nameof(CausalDecoder)}, {nameof(BagOfNgrams)}."),
        };
        config["problem_type"] = model.Head.Kind switch
        {
            TaskKind.MultiLabel => "multi_label_classification",
            TaskKind.Regression => "regression",
            _ => "single_label_classification",
        };
        // HF's BertForSequenceClassification drops out the pooled vector with classifier_dropout (else hidden_dropout_prob).
        if (architecture == HfArchitecture.BertClassifier && model.Head is TaskHead bertHead)
            config["classifier_dropout"] = bertHead.Options.Dropout;
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
            [ModelManifest.SaveIdKey] = saveId,
            ["temperature"] = model.Temperature,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(Indented));
    }

    /// <summary>Reads a classifier saved by <see cref="SaveClassifier"/>, or a HF BERT or GPT-2 sequence classifier; every tensor must be in the file.</summary>
    internal static TextClassifier LoadClassifier(string directory, Func<string, ITokenizer>? tokenizerLoader, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return ModelManifest.Read(directory, () => ReadClassifier(directory, tokenizerLoader, logger));
    }

    private static TextClassifier ReadClassifier(string directory, Func<string, ITokenizer>? tokenizerLoader, ILogger? logger)
    {
        string path = Path.Combine(directory, ConfigFileName);
        var json = JsonFiles.ReadObject(path);
        var section = json[Section] as JsonObject ?? [];
        string backboneKind = BackboneKind(json, path);
        var labels = ReadLabels(json, path);
        string tokenizerKind = section["tokenizer"] is null ? "" : JsonFiles.GetString(section, "tokenizer", path + " " + Section);
        var tokenizer = tokenizerLoader is null ? Tokenizers.Load(directory) : tokenizerLoader(directory);

        var (positions, positionsKey) = backboneKind switch
        {
            BertBackbone.KindName => (ReadEncoderConfig(directory).MaxPositionEmbeddings, "max_position_embeddings"),
            CausalDecoder.KindName => (ReadDecoderConfig(directory).NPositions, "n_positions"),
            _ => (int.MaxValue, ""),
        };
        // Truncation is our section's max_length, else (a directory transformers wrote) the tokenizer's model_max_length; the position table is apart.
        int maxLength = section["max_length"] is null ? Math.Min(TokenizerConfig.ModelMaxLength(directory) ?? 512, positions) : JsonFiles.GetInt(section, "max_length", path + " " + Section);
        if (maxLength < 1 || maxLength > positions)
            throw new InvalidDataException($"{path}: {Section}.max_length must be {(positions == int.MaxValue ? "at least 1" : $"between 1 and {positionsKey} ({positions})")} (was {maxLength}).");
        string headKind = section["head"] is null ? nameof(SingleLabelHead) : JsonFiles.GetString(section, "head", path + " " + Section);
        var headOptions = HeadOptionsJson.Read(section["head_options"], path + " " + Section + ".head_options");

        var layout = CheckpointLayout.Of(backboneKind);
        RequireClassifier(json, section, directory, layout);
        IBackbone backbone = backboneKind switch
        {
            BertBackbone.KindName => NewEncoder(directory),
            CausalDecoder.KindName => NewDecoder(directory),
            BagOfNgrams.KindName => NewBag(json, path, directory),
            _ => throw new InvalidDataException($"{path}: backbone '{backboneKind}' ({Section}.backbone, else model_type) is unknown. Known: bert, gpt2, bag."),
        };
        ITaskHead? head = null;
        TextClassifier model;
        try
        {
            RequireWeightsFor(directory, HeadParameters(backbone.HiddenSize, headKind == nameof(RegressionHead) ? 1 : labels.Count, headOptions?.HiddenSize ?? 0));
            head = headKind switch
            {
                nameof(SingleLabelHead) => new SingleLabelHead(backbone.HiddenSize, labels.Count, headOptions),
                nameof(MultiLabelHead) => new MultiLabelHead(backbone.HiddenSize, labels.Count, headOptions),
                nameof(RegressionHead) => new RegressionHead(backbone.HiddenSize, headOptions),
                _ => throw new InvalidDataException($"{path}: {Section}.head '{headKind}' is unknown. Known: {nameof(SingleLabelHead)}, {nameof(MultiLabelHead)}, {nameof(RegressionHead)}."),
            };
            // HF's GPT2ForSequenceClassification scores without a bias; a head saved with one (built by hand) keeps it.
            if (backboneKind == CausalDecoder.KindName && head is TaskHead taskHead && !SafeTensors.ReadHeader(Path.Combine(directory, WeightsFileName)).ContainsKey(layout.HeadFileName("classifier.bias")))
                taskHead.RemoveOutputBias();
            model = new TextClassifier(tokenizer, backbone, head, labels, maxLength) { Temperature = ReadTemperature(section, path) };
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
            // A classifier needs every tensor, its head's included: a fresh head would answer at random.
            LoadWeights(directory, ClassifierParameters(model, layout), layout, required: _ => true, logger);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Whether a directory holds a classifier (ours, or a HF <c>*ForSequenceClassification</c>) rather than a base or language model.</summary>
    internal static bool HoldsClassifier(string directory)
    {
        string path = Path.Combine(directory, ConfigFileName);
        var json = JsonFiles.ReadObject(path);
        return ClassifierEvidence(json, json[Section] as JsonObject ?? [], directory, CheckpointLayout.Of(BackboneKind(json, path))) is null;
    }

    /// <summary>Refuses a base or language-model directory (say, <c>llmft pretrain</c>'s output) where a classifier is needed, naming the command that makes one.</summary>
    private static void RequireClassifier(JsonObject json, JsonObject section, string directory, CheckpointLayout layout)
    {
        if (ClassifierEvidence(json, section, directory, layout) is { } architecture)
            throw new InvalidDataException(
                $"{directory}: holds {architecture}, not a classifier ({WeightsFileName} has no '{layout.ClassifierName}.weight'), so its predictions would be random. "
                + $"Fine-tune a classifier from it first: llmft finetune --from {directory} --train FILE --output DIR (in code: ClassifierFactory.FromPretrained).");
    }

    /// <summary>Null when the directory holds a classifier; otherwise what it holds instead, for the message.</summary>
    private static string? ClassifierEvidence(JsonObject json, JsonObject section, string directory, CheckpointLayout layout)
    {
        if (section["head"] is not null) return null;
        string? architecture = json["architectures"] is JsonArray { Count: > 0 } list && list[0] is JsonValue v && v.TryGetValue(out string? name) ? name : null;
        if (architecture?.EndsWith("ForSequenceClassification", StringComparison.Ordinal) == true) return null;
        // An old HF checkpoint without architectures: its weights tell.
        if (architecture is null && SafeTensors.ReadHeader(Path.Combine(directory, WeightsFileName)).ContainsKey(layout.HeadFileName("classifier.weight"))) return null;
        return architecture switch
        {
            null => "a model without a classification head",
            _ when architecture.EndsWith("LMHeadModel", StringComparison.Ordinal) || architecture.Contains("ForMaskedLM", StringComparison.Ordinal) || architecture.Contains("ForCausalLM", StringComparison.Ordinal)
                => $"a language model ({architecture}, as llmft pretrain writes)",
            _ => $"a {architecture} without a classification head",
        };
    }

    /// <summary>The parameters of a built-in head: an optional tanh layer of <paramref name="hiddenLayer"/> units, then the output layer, each with its bias.</summary>
    private static double HeadParameters(int backboneWidth, int outputs, int hiddenLayer) => hiddenLayer > 0
        ? ((double)backboneWidth + 1) * hiddenLayer + ((double)hiddenLayer + 1) * outputs
        : ((double)backboneWidth + 1) * outputs;

    /// <summary>Builds the encoder config.json describes, after checking that the weights file could hold it.</summary>
    internal static BertBackbone NewEncoder(string directory)
    {
        var c = ReadEncoderConfig(directory);
        double parameters = ((double)c.VocabSize + c.MaxPositionEmbeddings + c.TypeVocabSize) * c.HiddenSize
            + (double)c.NumHiddenLayers * (4.0 * c.HiddenSize * c.HiddenSize + 2.0 * c.HiddenSize * c.IntermediateSize);
        RequireWeightsFor(directory, parameters);
        return new BertBackbone(c);
    }

    /// <summary>Builds the decoder config.json describes, after checking that the weights file could hold it.</summary>
    internal static CausalDecoder NewDecoder(string directory)
    {
        var c = ReadDecoderConfig(directory);
        double parameters = ((double)c.VocabSize + c.NPositions) * c.NEmbd
            + (double)c.NLayer * (4.0 * c.NEmbd * c.NEmbd + 2.0 * c.NEmbd * c.InnerSize);
        RequireWeightsFor(directory, parameters);
        return new CausalDecoder(c);
    }

    /// <summary>Builds the bag config.json describes (vocab_size rows of hidden_size), after checking that the weights file could hold it.</summary>
    internal static BagOfNgrams NewBag(JsonObject json, string path, string directory)
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
        var header = SafeTensors.ReadHeader(path);
        long length = new FileInfo(path).Length;
        // an 8-bit file with pruned rows holds less than a byte per parameter, but may not expand without bound
        double needed = QuantizedWeights.IsQuantized(header.Keys) ? parameters * 4 / QuantizedWeights.MaxExpansion : parameters * 2;
        if (needed > length)
            throw new InvalidDataException($"{Path.Combine(directory, ConfigFileName)}: the sizes describe {parameters:N0} parameters, more than {WeightsFileName} ({length:N0} bytes) can hold. Check vocab_size, hidden_size, the layer sizes and head_options.");
    }

    /// <summary>The classifier's parameters under their file names: HF's for BERT (<c>bert.*</c>, <c>classifier.*</c>) and GPT-2 (<c>transformer.*</c>, <c>score.*</c>).</summary>
    private static Dictionary<string, Tensor> ClassifierParameters(TextClassifier model, CheckpointLayout layout)
    {
        var names = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        // head buffers (multi-label thresholds) are state too; backbone buffers are derived, not saved
        var headBuffers = model.Network.named_buffers().Where(b => b.name.StartsWith("head.", StringComparison.Ordinal));
        foreach (var (name, parameter) in model.Network.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(headBuffers))
        {
            string fileName = name.StartsWith("backbone.", StringComparison.Ordinal) ? layout.BackbonePrefix + name["backbone.".Length..]
                : name.StartsWith("head.", StringComparison.Ordinal) ? layout.HeadFileName(name["head.".Length..])
                : name;
            names.Add(fileName, parameter);
        }
        return names;
    }

    /// <summary>Writes a pretraining checkpoint: every parameter of the objective's module (HF names), its config and the tokenizer (whose longest input is <paramref name="positions"/>).</summary>
    // extra writes further files into the directory being built, so they are swapped in (and listed in the manifest) with the rest.
    internal static void SavePretrained(nn.Module model, ITokenizer tokenizer, string directory, JsonObject config, string backboneKind, int positions, Action<string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ModelManifest.Save(directory, (staging, saveId) =>
        {
            tokenizer.Save(staging);
            TokenizerConfig.AddModelFields(staging, positions);
            // The LM decoder is the token embedding table; HF ties it on load, so it is not stored twice.
            SafeTensors.Write(Path.Combine(staging, WeightsFileName), model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), SafeTensors.PyTorchMetadata);
            config[Section] = new JsonObject { ["backbone"] = backboneKind, ["tokenizer"] = tokenizer.GetType().Name, [ModelManifest.SaveIdKey] = saveId };
            AtomicFile.WriteAllText(Path.Combine(staging, ConfigFileName), config.ToJsonString(Indented));
            extra?.Invoke(staging);
        });
    }

    /// <summary>Builds a model around a backbone, disposing the backbone if that fails.</summary>
    internal static TModel Around<TBackbone, TModel>(TBackbone backbone, Func<TBackbone, TModel> build) where TBackbone : IDisposable
    {
        try
        {
            return build(backbone);
        }
        catch
        {
            backbone.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies the directory's weights into a freshly built model (disposed if that fails) and leaves it in eval mode.
    /// <c>namePrefix</c> turns the model's parameter names into the file's (<c>bert.</c> for a bare encoder).
    /// </summary>
    internal static T LoadWeightsInto<T>(T model, string directory, CheckpointLayout layout, string namePrefix, Func<string, bool> required) where T : nn.Module
    {
        try
        {
            var targets = model.named_parameters().ToDictionary(p => namePrefix + p.name, p => (Tensor)p.parameter);
            LoadWeights(directory, targets, layout, required);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        model.eval();
        return model;
    }

    /// <summary>Copies the weights file into <paramref name="targets"/>; refuses missing required tensors, and reports unused ones to <paramref name="logger"/>.</summary>
    private static void LoadWeights(string directory, IReadOnlyDictionary<string, Tensor> targets, CheckpointLayout layout, Func<string, bool> required, ILogger? logger = null)
    {
        string path = Path.Combine(directory, WeightsFileName);
        var header = SafeTensors.ReadHeader(path);
        var (missing, unused) = QuantizedWeights.IsQuantized(header.Keys)
            ? (QuantizedWeights.LoadInto(path, header, targets, layout.Renamer(header.Keys.Select(QuantizedWeights.ParameterName))), [])
            : SafeTensors.LoadInto(path, targets, layout.Renamer(header.Keys));
        var lacking = missing.Where(required).ToList();
        if (lacking.Count > 0)
            throw new InvalidDataException($"{path}: {lacking.Count} tensor(s) the model needs are missing: '{string.Join("', '", lacking.Take(8))}'{(lacking.Count > 8 ? ", …" : "")}"
                + $"{(unused.Count > 0 ? $"; the file has {unused.Count} the model does not use: '{string.Join("', '", unused.Take(8))}'{(unused.Count > 8 ? ", …" : "")}" : "")}. Is this checkpoint of the architecture config.json describes?");
        if (unused.Count > 0)
            logger?.LogWarning("{Path}: {Count} tensor(s) are not used by the model and were ignored: {Names}.", path, unused.Count, string.Join(", ", unused.Take(8)) + (unused.Count > 8 ? ", …" : ""));
    }

    /// <summary>The <c>llmfinetune.temperature</c> key: absent means 1 (models saved before calibration existed).</summary>
    private static double ReadTemperature(JsonObject section, string path)
    {
        if (section["temperature"] is null) return 1.0;
        double value = JsonFiles.GetDouble(section, "temperature", path + " " + Section);
        if (!(value > 0) || double.IsInfinity(value))
            throw new InvalidDataException($"{path}: {Section}.temperature must be a positive finite number (was {value}); delete the key to use 1.");
        return value;
    }

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
}
