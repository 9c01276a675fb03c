using System.Text.Json.Nodes;
using LlmFineTune.Parts;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>How a backbone type saves into and loads from a model directory.</summary>
/// <param name="Name">The <c>llmfinetune.backbone</c> value.</param>
/// <param name="Type">The backbone's exact type.</param>
/// <param name="Layout">How its tensors are named in <c>model.safetensors</c>.</param>
/// <param name="PositionsKey">The config key of its position table, for messages; null when it has none.</param>
/// <param name="Config">The body of <c>config.json</c> for the backbone under a head (Hugging Face's keys for BERT and GPT-2).</param>
/// <param name="Options">The <c>llmfinetune.backbone_options</c> object, or null when <see cref="Config"/> holds everything.</param>
/// <param name="Create">Builds the backbone (untrained) that the directory and the options object describe, refusing sizes the weights file cannot hold; the third argument names the options field for messages.</param>
internal sealed record BackbonePart(
    string Name,
    Type Type,
    CheckpointLayout Layout,
    string? PositionsKey,
    Func<IBackbone, ITaskHead, JsonObject> Config,
    Func<IBackbone, JsonNode?> Options,
    Func<ModelDirectoryReader, JsonNode?, string, IBackbone> Create) : IPart;
