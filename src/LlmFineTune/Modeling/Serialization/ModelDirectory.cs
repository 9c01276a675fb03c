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

    /// <summary>The <c>config.json</c> section of the keys Hugging Face has none for.</summary>
    internal const string Section = "llmfinetune";
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
        return ModelManifest.Read(directory, reader => LoadWeightsInto(NewEncoder(reader), reader, CheckpointLayout.Bert, CheckpointLayout.Bert.BackbonePrefix, required: _ => true));
    }

    /// <summary>Loads the decoder of a GPT-2 checkpoint (ours, or HF's <c>GPT2Model</c>/<c>GPT2LMHeadModel</c>/<c>GPT2ForSequenceClassification</c>).</summary>
    /// <param name="directory">A directory with <c>config.json</c> (GPT2Config keys) and <c>model.safetensors</c>.</param>
    /// <returns>The decoder, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing, malformed, or lacks decoder weights; the message names the file and field.</exception>
    public static CausalDecoder LoadDecoder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return ModelManifest.Read(directory, reader => LoadWeightsInto(NewDecoder(reader), reader, CheckpointLayout.Gpt2, CheckpointLayout.Gpt2.BackbonePrefix, required: _ => true));
    }

    /// <summary>Reads the HF <c>BertConfig</c> keys of <c>config.json</c>, with HF's defaults for optional keys.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>A validated config.</returns>
    /// <exception cref="InvalidDataException">The file is missing, malformed or a field is out of range; the message names the field.</exception>
    public static BertBackboneConfig ReadEncoderConfig(string directory) => ReadEncoderConfig(new ModelDirectoryReader(directory));

    /// <summary>Reads the HF <c>GPT2Config</c> keys of <c>config.json</c>, with HF's defaults for optional keys.</summary>
    /// <param name="directory">The model directory.</param>
    /// <returns>A validated config.</returns>
    /// <exception cref="InvalidDataException">The file is missing or malformed, a field is out of range, or it asks for attention maths the decoder lacks; the message names the field.</exception>
    public static CausalDecoderConfig ReadDecoderConfig(string directory) => ReadDecoderConfig(new ModelDirectoryReader(directory));

    internal static BertBackboneConfig ReadEncoderConfig(ModelDirectoryReader reader) => HfConfigJson.ReadEncoder(reader.Config, reader.ConfigPath);

    internal static CausalDecoderConfig ReadDecoderConfig(ModelDirectoryReader reader) => HfConfigJson.ReadDecoder(reader.Config, reader.ConfigPath);

    /// <summary>
    /// The backbone name a <c>config.json</c> gives: the <c>llmfinetune</c> section's, else HF's
    /// <c>model_type</c>, else <c>bert</c> (old BERT checkpoints have neither).
    /// </summary>
    internal static string BackboneName(ModelDirectoryReader reader) =>
        reader.Section["backbone"] is not null
            ? JsonFiles.GetString(reader.Section, "backbone", reader.ConfigPath + " " + Section)
            : HfConfigJson.ModelType(reader.Config, reader.ConfigPath, BertBackbone.KindName);

    /// <summary>The registered backbone the directory names.</summary>
    /// <exception cref="InvalidDataException">No backbone is registered under that name; the message names the file and the call that registers one.</exception>
    private static BackbonePart BackbonePartOf(ModelDirectoryReader reader, ModelParts parts) =>
        parts.Backbones.Require(BackboneName(reader), $"{reader.ConfigPath}: {Section}.backbone (else model_type)");

    /// <summary>The positions a transformer backbone embeds (its longest input); unlimited for the bag.</summary>
    internal static int MaxPositions(IBackbone backbone) => backbone.MaxPositions ?? int.MaxValue;

    /// <summary>Loads the backbone a directory holds (any registered kind: a pretrained encoder or decoder, word vectors, a classifier's backbone) with its weights.</summary>
    /// <returns>The backbone, in eval mode; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">The backbone is not registered, a file is missing or malformed, or a backbone tensor is missing.</exception>
    internal static IBackbone LoadBackbone(ModelDirectoryReader reader, ModelParts parts)
    {
        var part = BackbonePartOf(reader, parts);
        var backbone = part.Create(reader, reader.Section["backbone_options"], $"{reader.ConfigPath} {Section}.backbone_options");
        var module = backbone as nn.Module
            ?? throw new NotSupportedException($"{backbone.GetType().Name} must derive from TorchSharp.torch.nn.Module so that its weights can be loaded.");
        LoadWeightsInto(module, reader, part.Layout, part.Layout.BackbonePrefix, required: _ => true);
        return backbone;
    }

    /// <summary>The tokenizer of a directory: <paramref name="tokenizerLoader"/>'s when given, else the registered one <c>llmfinetune.tokenizer</c> names, else (a Hugging Face checkpoint) the one its files describe.</summary>
    /// <exception cref="InvalidDataException">The tokenizer named is not registered, or a file is malformed.</exception>
    internal static ITokenizer LoadTokenizer(ModelDirectoryReader reader, ModelParts parts, Func<string, ITokenizer>? tokenizerLoader)
    {
        if (tokenizerLoader is not null) return tokenizerLoader(reader.Directory);
        if (reader.Section["tokenizer"] is null) return Tokenizers.Load(reader.Directory);
        string name = JsonFiles.GetString(reader.Section, "tokenizer", reader.ConfigPath + " " + Section);
        return parts.Tokenizers.Require(name, $"{reader.ConfigPath}: {Section}.tokenizer").Load(reader.Directory);
    }

    /// <summary>Writes a classifier: config with labels and the <c>llmfinetune</c> section, weights, tokenizer files.</summary>
    /// <exception cref="NotSupportedException">The backbone or head is not registered in <paramref name="parts"/>; the message names the call that registers it.</exception>
    internal static void SaveClassifier(TextClassifier model, string directory, ModelParts parts)
    {
        // Refused before anything is written: the old directory stays as it was.
        parts.Backbones.Require(model.Backbone);
        parts.Heads.Require(model.Head);
        ModelManifest.Save(directory, (staging, saveId) => WriteClassifier(model, staging, saveId, parts));
    }

    internal static void WriteClassifier(TextClassifier model, string directory, string saveId, ModelParts parts)
    {
        var backbone = parts.Backbones.Require(model.Backbone);
        var head = parts.Heads.Require(model.Head);
        model.Tokenizer.Save(directory);
        TokenizerConfig.AddModelFields(directory, model.MaxLength);
        SafeTensors.Write(Path.Combine(directory, WeightsFileName), ClassifierParameters(model, backbone.Layout).Select(p => (p.Key, p.Value)), SafeTensors.PyTorchMetadata);

        JsonObject config = backbone.Config(model.Backbone, model.Head);
        config["problem_type"] = model.Head.Kind switch
        {
            TaskKind.MultiLabel => "multi_label_classification",
            TaskKind.Regression => "regression",
            _ => "single_label_classification",
        };
        config["num_labels"] = model.Labels.Count;
        config["id2label"] = new JsonObject(model.Labels.Select((name, id) => KeyValuePair.Create(id.ToString(CultureInfo.InvariantCulture), (JsonNode?)name)));
        config["label2id"] = new JsonObject(model.Labels.Select((name, id) => KeyValuePair.Create(name, (JsonNode?)id)));
        var section = new JsonObject { ["backbone"] = backbone.Name };
        if (backbone.Options(model.Backbone) is { } backboneOptions)
            section["backbone_options"] = backboneOptions;
        section["head"] = head.Name;
        section["head_options"] = head.Options(model.Head);
        section["max_length"] = model.MaxLength;
        // A tokenizer nobody registered is saved under its type name; it loads with a tokenizer loader.
        section["tokenizer"] = parts.Tokenizers.Find(model.Tokenizer.GetType())?.Name ?? model.Tokenizer.GetType().Name;
        section[ModelManifest.SaveIdKey] = saveId;
        section["temperature"] = model.Temperature;
        if (model.OptimizerRecord is { } optimizer)
            section["optimizer"] = optimizer.DeepClone();
        config[Section] = section;
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(Indented));
    }

    /// <summary>Reads a classifier saved by <see cref="SaveClassifier"/>, or a HF BERT or GPT-2 sequence classifier; every tensor must be in the file.</summary>
    internal static TextClassifier LoadClassifier(string directory, ModelParts parts, Func<string, ITokenizer>? tokenizerLoader, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return ModelManifest.Read(directory, reader => LoadClassifier(reader, parts, tokenizerLoader, logger));
    }

    /// <summary>Reads a classifier through one snapshot of its directory: config.json and the weights' header are read once.</summary>
    internal static TextClassifier LoadClassifier(ModelDirectoryReader reader, ModelParts parts, Func<string, ITokenizer>? tokenizerLoader, ILogger? logger)
    {
        string path = reader.ConfigPath;
        var section = reader.Section;
        var backbonePart = BackbonePartOf(reader, parts);
        var labels = ReadLabels(reader);
        string headName = section["head"] is null ? nameof(SingleLabelHead) : JsonFiles.GetString(section, "head", path + " " + Section);
        var headPart = parts.Heads.Require(headName, $"{path}: {Section}.head");
        var layout = backbonePart.Layout;
        RequireClassifier(reader, layout);
        var tokenizer = LoadTokenizer(reader, parts, tokenizerLoader);

        IBackbone backbone = backbonePart.Create(reader, section["backbone_options"], $"{path} {Section}.backbone_options");
        ITaskHead? head = null;
        TextClassifier model;
        try
        {
            int positions = MaxPositions(backbone);
            // Truncation is our section's max_length, else (a directory transformers wrote) the tokenizer's model_max_length; the position table is apart.
            int maxLength = section["max_length"] is null ? Math.Min(TokenizerConfig.ModelMaxLength(reader.Directory) ?? 512, positions) : JsonFiles.GetInt(section, "max_length", path + " " + Section);
            if (maxLength < 1 || maxLength > positions)
                throw new InvalidDataException($"{path}: {Section}.max_length must be {(positions == int.MaxValue ? "at least 1" : $"between 1 and {backbonePart.PositionsKey ?? "the backbone's positions"} ({positions})")} (was {maxLength}).");
            head = headPart.Create(reader, backbone.HiddenSize, labels, section["head_options"], $"{path} {Section}.head_options");
            // HF's GPT2ForSequenceClassification scores without a bias; a head saved with one (built by hand) keeps it.
            if (layout.OptionalHeadBias && head is TaskHead taskHead && !reader.Header.ContainsKey(layout.HeadFileName("classifier.bias")))
                taskHead.RemoveOutputBias();
            model = new TextClassifier(tokenizer, backbone, head, labels, maxLength)
            {
                Temperature = ReadTemperature(section, path),
                OptimizerRecord = section["optimizer"] is JsonObject optimizer ? (JsonObject)optimizer.DeepClone() : null,
            };
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
            LoadWeights(reader, ClassifierParameters(model, layout), layout, required: _ => true, logger);
        }
        catch
        {
            model.Dispose();
            throw;
        }
        return model;
    }

    /// <summary>Whether a directory holds a classifier (ours, or a HF <c>*ForSequenceClassification</c>) rather than a base or language model.</summary>
    internal static bool HoldsClassifier(ModelDirectoryReader reader, ModelParts parts) =>
        ClassifierEvidence(reader, BackbonePartOf(reader, parts).Layout) is null;

    /// <summary>Refuses a base or language-model directory (say, <c>llmft pretrain</c>'s output) where a classifier is needed, naming the command that makes one.</summary>
    private static void RequireClassifier(ModelDirectoryReader reader, CheckpointLayout layout)
    {
        string directory = reader.Directory;
        if (ClassifierEvidence(reader, layout) is { } architecture)
            throw new InvalidDataException(
                $"{directory}: holds {architecture}, not a classifier ({WeightsFileName} has no '{layout.ClassifierName}.weight'), so its predictions would be random. "
                + $"Fine-tune a classifier from it first: llmft finetune --from {directory} --train FILE --output DIR (in code: ClassifierFactory.FromPretrained).");
    }

    /// <summary>Null when the directory holds a classifier; otherwise what it holds instead, for the message.</summary>
    private static string? ClassifierEvidence(ModelDirectoryReader reader, CheckpointLayout layout)
    {
        if (reader.Section["head"] is not null) return null;
        string? architecture = reader.Config["architectures"] is JsonArray { Count: > 0 } list && list[0] is JsonValue v && v.TryGetValue(out string? name) ? name : null;
        if (architecture?.EndsWith("ForSequenceClassification", StringComparison.Ordinal) == true) return null;
        // An old HF checkpoint without architectures: its weights tell.
        if (architecture is null && reader.Header.ContainsKey(layout.HeadFileName("classifier.weight"))) return null;
        return architecture switch
        {
            null => "a model without a classification head",
            _ when architecture.EndsWith("LMHeadModel", StringComparison.Ordinal) || architecture.Contains("ForMaskedLM", StringComparison.Ordinal) || architecture.Contains("ForCausalLM", StringComparison.Ordinal)
                => $"a language model ({architecture}, as llmft pretrain writes)",
            _ => $"a {architecture} without a classification head",
        };
    }

    /// <summary>The parameters of a built-in head: an optional tanh layer of <paramref name="hiddenLayer"/> units, then the output layer, each with its bias.</summary>
    internal static double HeadParameters(int backboneWidth, int outputs, int hiddenLayer) => hiddenLayer > 0
        ? ((double)backboneWidth + 1) * hiddenLayer + ((double)hiddenLayer + 1) * outputs
        : ((double)backboneWidth + 1) * outputs;

    /// <summary>Builds the encoder config.json describes, after checking that the weights file could hold it.</summary>
    internal static BertBackbone NewEncoder(ModelDirectoryReader reader)
    {
        var c = ReadEncoderConfig(reader);
        double parameters = ((double)c.VocabSize + c.MaxPositionEmbeddings + c.TypeVocabSize) * c.HiddenSize
            + (double)c.NumHiddenLayers * (4.0 * c.HiddenSize * c.HiddenSize + 2.0 * c.HiddenSize * c.IntermediateSize);
        RequireWeightsFor(reader, parameters);
        return new BertBackbone(c);
    }

    /// <summary>Builds the decoder config.json describes, after checking that the weights file could hold it.</summary>
    internal static CausalDecoder NewDecoder(ModelDirectoryReader reader)
    {
        var c = ReadDecoderConfig(reader);
        double parameters = ((double)c.VocabSize + c.NPositions) * c.NEmbd
            + (double)c.NLayer * (4.0 * c.NEmbd * c.NEmbd + 2.0 * c.NEmbd * c.InnerSize);
        RequireWeightsFor(reader, parameters);
        return new CausalDecoder(c);
    }

    /// <summary>Builds the bag config.json describes (vocab_size rows of hidden_size), after checking that the weights file could hold it.</summary>
    internal static BagOfNgrams NewBag(ModelDirectoryReader reader)
    {
        var json = reader.Config;
        string path = reader.ConfigPath;
        int vocabularySize = JsonFiles.GetInt(json, "vocab_size", path);
        int hiddenSize = JsonFiles.GetInt(json, "hidden_size", path);
        if (vocabularySize < 2 || hiddenSize < 1)
            throw new InvalidDataException($"{path}: vocab_size must be at least 2 and hidden_size at least 1 (were {vocabularySize} and {hiddenSize}).");
        RequireWeightsFor(reader, (double)vocabularySize * hiddenSize);
        // the weights file fills the table next: initializing it would be wasted
        return new BagOfNgrams(vocabularySize, hiddenSize, sparseGradients: true, initialize: false);
    }

    /// <summary>
    /// Refuses sizes that the weights file cannot back before anything is allocated: every backbone
    /// parameter must be in the file, at 2 bytes or more each (F16/BF16 is the smallest float dtype),
    /// so a config claiming more is corrupt or hostile, whatever memory the machine has. A head may
    /// be fresh (not in the file), but one larger than the whole file is refused the same way.
    /// </summary>
    internal static void RequireWeightsFor(ModelDirectoryReader reader, double parameters)
    {
        // A corrupt weights file is reported as such, not as sizes it cannot hold.
        var header = reader.Header;
        long length = new FileInfo(reader.WeightsPath).Length;
        // an 8-bit file with pruned rows holds less than a byte per parameter, but may not expand without bound
        double needed = QuantizedWeights.IsQuantized(header.Keys) ? parameters * 4 / QuantizedWeights.MaxExpansion : parameters * 2;
        if (needed > length)
            throw new InvalidDataException($"{reader.ConfigPath}: the sizes describe {parameters:N0} parameters, more than {WeightsFileName} ({length:N0} bytes) can hold. Check vocab_size, hidden_size, the layer sizes and head_options.");
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
    internal static T LoadWeightsInto<T>(T model, ModelDirectoryReader reader, CheckpointLayout layout, string namePrefix, Func<string, bool> required) where T : nn.Module
    {
        try
        {
            var targets = model.named_parameters().ToDictionary(p => namePrefix + p.name, p => (Tensor)p.parameter);
            LoadWeights(reader, targets, layout, required);
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
    private static void LoadWeights(ModelDirectoryReader reader, IReadOnlyDictionary<string, Tensor> targets, CheckpointLayout layout, Func<string, bool> required, ILogger? logger = null)
    {
        string path = reader.WeightsPath;
        var header = reader.Header;
        var (missing, unused) = QuantizedWeights.IsQuantized(header.Keys)
            ? (QuantizedWeights.LoadInto(path, header, targets, layout.Renamer(header.Keys.Select(QuantizedWeights.ParameterName))), [])
            : SafeTensors.LoadInto(path, targets, layout.Renamer(header.Keys), header);
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

    /// <summary>The classes config.json names (<c>id2label</c>, else <c>num_labels</c> generic names, else two).</summary>
    internal static LabelMap ReadLabels(ModelDirectoryReader reader)
    {
        var json = reader.Config;
        string path = reader.ConfigPath;
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
