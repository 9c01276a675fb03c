using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Heads;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>The <c>llmfinetune.head_options</c> object of config.json: how a built-in head was shaped.</summary>
/// <remarks>Multi-label thresholds are not here: they are a buffer of the head, saved with the weights.</remarks>
internal static class HeadOptionsJson
{
    public static JsonObject Write(HeadOptions o) => new()
    {
        ["pooling"] = o.Pooling.ToString(),
        ["hidden_size"] = o.HiddenSize,
        ["dropout"] = o.Dropout,
        ["label_smoothing"] = o.LabelSmoothing,
        ["class_weights"] = o.ClassWeights is null ? null : new JsonArray([.. o.ClassWeights.Select(w => (JsonNode?)w)]),
        ["regression_loss"] = o.RegressionLoss.ToString(),
        ["huber_delta"] = o.HuberDelta,
    };

    /// <summary>Reads the options, or null (the defaults) when a file predates them.</summary>
    /// <exception cref="InvalidDataException">A field has the wrong type or an unknown value; the message names it.</exception>
    public static HeadOptions? Read(JsonNode? node, string where)
    {
        if (node is null) return null;
        if (node is not JsonObject json)
            throw new InvalidDataException($"{where}: expected an object.");
        try
        {
            var defaults = new HeadOptions();
            return new HeadOptions
            {
                Pooling = Enum<PoolingMode>(json, "pooling", where) ?? defaults.Pooling,
                HiddenSize = json["hidden_size"]?.GetValue<int>() ?? defaults.HiddenSize,
                Dropout = json["dropout"]?.GetValue<double>() ?? defaults.Dropout,
                LabelSmoothing = json["label_smoothing"]?.GetValue<double>() ?? defaults.LabelSmoothing,
                ClassWeights = json["class_weights"] is JsonArray weights ? weights.Select(w => w?.GetValue<float>() ?? throw new InvalidDataException($"{where}.class_weights: null is not a weight.")).ToArray() : null,
                RegressionLoss = Enum<RegressionLoss>(json, "regression_loss", where) ?? defaults.RegressionLoss,
                HuberDelta = json["huber_delta"]?.GetValue<double>() ?? defaults.HuberDelta,
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or JsonException)
        {
            throw new InvalidDataException($"{where}: a field has the wrong type ({e.Message}).", e);
        }
    }

    private static T? Enum<T>(JsonObject json, string field, string where) where T : struct, System.Enum
    {
        if (json[field] is null) return null;
        string text = json[field]!.GetValue<string>();
        return System.Enum.TryParse<T>(text, ignoreCase: false, out var value) && System.Enum.IsDefined(value)
            ? value
            : throw new InvalidDataException($"{where}.{field}: '{text}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}.");
    }
}
