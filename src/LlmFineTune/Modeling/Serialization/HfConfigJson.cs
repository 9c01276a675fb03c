using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Backbones;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// The Hugging Face <c>config.json</c> keys of each transformer we save (<c>BertConfig</c>, <c>GPT2Config</c>):
/// written field for field, and read back with HF's defaults for the keys a checkpoint may leave out.
/// </summary>
internal static class HfConfigJson
{
    public static JsonObject Write(BertBackboneConfig c, string architecture) => new()
    {
        ["architectures"] = new JsonArray(architecture),
        ["model_type"] = BertBackbone.KindName,
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

    /// <remarks>Null token ids are written as null, which HF reads as "no such token".</remarks>
    public static JsonObject Write(CausalDecoderConfig c, string architecture) => new()
    {
        ["architectures"] = new JsonArray(architecture),
        ["model_type"] = CausalDecoder.KindName,
        ["vocab_size"] = c.VocabSize,
        ["n_positions"] = c.NPositions,
        ["n_embd"] = c.NEmbd,
        ["n_layer"] = c.NLayer,
        ["n_head"] = c.NHead,
        ["n_inner"] = c.NInner,
        ["activation_function"] = c.ActivationFunction,
        ["resid_pdrop"] = c.ResidPdrop,
        ["embd_pdrop"] = c.EmbdPdrop,
        ["attn_pdrop"] = c.AttnPdrop,
        ["layer_norm_epsilon"] = c.LayerNormEpsilon,
        ["initializer_range"] = c.InitializerRange,
        ["bos_token_id"] = c.BosTokenId,
        ["eos_token_id"] = c.EosTokenId,
        ["pad_token_id"] = c.PadTokenId,
        ["scale_attn_weights"] = true,
        ["tie_word_embeddings"] = true,
    };

    /// <summary>The <c>model_type</c>, or <paramref name="fallback"/> when the file has none.</summary>
    public static string ModelType(JsonObject json, string path, string fallback) =>
        json["model_type"] is null ? fallback : JsonFiles.GetString(json, "model_type", path);

    /// <exception cref="InvalidDataException">The model type is not BERT, a required key is missing, or a field is out of range.</exception>
    public static BertBackboneConfig ReadEncoder(JsonObject json, string path)
    {
        RequireModelType(json, path, BertBackbone.KindName, nameof(BertBackbone));
        // BertConfig switches that change the maths; the encoder implements their defaults only.
        RefuseOtherThanDefault(json, path, "BERT encoder", ("position_embedding_type", "absolute"), ("is_decoder", false), ("add_cross_attention", false));
        var defaults = new BertBackboneConfig();
        var config = new BertBackboneConfig
        {
            VocabSize = JsonFiles.GetInt(json, "vocab_size", path),
            HiddenSize = JsonFiles.GetInt(json, "hidden_size", path),
            NumHiddenLayers = JsonFiles.GetInt(json, "num_hidden_layers", path),
            NumAttentionHeads = JsonFiles.GetInt(json, "num_attention_heads", path),
            IntermediateSize = JsonFiles.GetInt(json, "intermediate_size", path),
            HiddenAct = String(json, "hidden_act", defaults.HiddenAct, path),
            HiddenDropoutProb = Double(json, "hidden_dropout_prob", defaults.HiddenDropoutProb, path),
            AttentionProbsDropoutProb = Double(json, "attention_probs_dropout_prob", defaults.AttentionProbsDropoutProb, path),
            MaxPositionEmbeddings = Int(json, "max_position_embeddings", defaults.MaxPositionEmbeddings, path),
            TypeVocabSize = Int(json, "type_vocab_size", defaults.TypeVocabSize, path),
            LayerNormEps = Double(json, "layer_norm_eps", defaults.LayerNormEps, path),
            InitializerRange = Double(json, "initializer_range", defaults.InitializerRange, path),
            PadTokenId = Int(json, "pad_token_id", 0, path),
        };
        return Validated(config, config.Validate, path);
    }

    /// <exception cref="InvalidDataException">The model type is not GPT-2, a required key is missing, a field is out of range, or the config asks for attention maths the decoder does not implement.</exception>
    public static CausalDecoderConfig ReadDecoder(JsonObject json, string path)
    {
        RequireModelType(json, path, CausalDecoder.KindName, nameof(CausalDecoder));
        // GPT2Config switches that change the maths; the decoder implements their defaults only.
        // (reorder_and_upcast_attn only computes the same attention in float32, which the decoder always does.)
        RefuseOtherThanDefault(json, path, "GPT-2 decoder", ("scale_attn_weights", true), ("scale_attn_by_inverse_layer_idx", false), ("add_cross_attention", false));
        var defaults = new CausalDecoderConfig();
        var config = new CausalDecoderConfig
        {
            VocabSize = JsonFiles.GetInt(json, "vocab_size", path),
            NPositions = Int(json, "n_positions", defaults.NPositions, path),
            NEmbd = JsonFiles.GetInt(json, "n_embd", path),
            NLayer = JsonFiles.GetInt(json, "n_layer", path),
            NHead = JsonFiles.GetInt(json, "n_head", path),
            NInner = json["n_inner"] is null ? null : JsonFiles.GetInt(json, "n_inner", path),
            ActivationFunction = String(json, "activation_function", defaults.ActivationFunction, path),
            ResidPdrop = Double(json, "resid_pdrop", defaults.ResidPdrop, path),
            EmbdPdrop = Double(json, "embd_pdrop", defaults.EmbdPdrop, path),
            AttnPdrop = Double(json, "attn_pdrop", defaults.AttnPdrop, path),
            LayerNormEpsilon = Double(json, "layer_norm_epsilon", defaults.LayerNormEpsilon, path),
            InitializerRange = Double(json, "initializer_range", defaults.InitializerRange, path),
            BosTokenId = TokenId(json, "bos_token_id"),
            EosTokenId = TokenId(json, "eos_token_id"),
            PadTokenId = TokenId(json, "pad_token_id"),
        };
        return Validated(config, config.Validate, path);
    }

    /// <summary>Refuses a config key set to anything but the one value the model implements (a string or a bool); an absent key is the default.</summary>
    private static void RefuseOtherThanDefault(JsonObject json, string path, string model, params (string Field, object Implemented)[] keys)
    {
        foreach (var (field, implemented) in keys)
        {
            if (json[field] is null) continue;
            object found = implemented is bool ? JsonFiles.GetBool(json, field, path) : JsonFiles.GetString(json, field, path);
            if (!found.Equals(implemented))
                throw new InvalidDataException($"{path}: {field} = {Literal(found)} is not supported; the {model} implements {field} = {Literal(implemented)} only, and would compute something else than the checkpoint was trained for.");
        }
    }

    private static string Literal(object value) => value is bool b ? (b ? "true" : "false") : $"'{value}'";

    private static double Double(JsonObject json, string field, double fallback, string path)
    {
        var node = json[field];
        if (node is null) return fallback;
        return node is JsonValue v && v.TryGetValue(out double value)
            ? value
            : throw new InvalidDataException($"{path}: field '{field}' must be a number (was {node.ToJsonString()}).");
    }

    private static void RequireModelType(JsonObject json, string path, string modelType, string loadsAs)
    {
        string found = ModelType(json, path, modelType);
        if (found != modelType)
            throw new InvalidDataException($"{path}: model_type is '{found}', but only '{modelType}' checkpoints load as a {loadsAs}.");
    }

    private static int Int(JsonObject json, string field, int fallback, string path) =>
        json[field] is null ? fallback : JsonFiles.GetInt(json, field, path);

    private static string String(JsonObject json, string field, string fallback, string path) =>
        json[field] is null ? fallback : JsonFiles.GetString(json, field, path);

    /// <summary>A special token's id; null when absent, null, or a list (HF allows several end-of-text ids), since the decoder never reads it.</summary>
    private static int? TokenId(JsonObject json, string field) =>
        json[field] is JsonValue v && v.TryGetValue(out int id) ? id : null;

    private static T Validated<T>(T config, Action validate, string path)
    {
        try
        {
            validate();
        }
        catch (ArgumentOutOfRangeException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
        return config;
    }
}
