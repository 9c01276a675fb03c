using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Parts;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>How a task head type saves into and loads from a model directory.</summary>
/// <param name="Name">The <c>llmfinetune.head</c> value.</param>
/// <param name="Type">The head's exact type.</param>
/// <param name="Options">The <c>llmfinetune.head_options</c> object of a head.</param>
/// <param name="Create">Builds the head (untrained) for a backbone width and the labels from the options object; the last argument names the options field for messages.</param>
internal sealed record HeadPart(
    string Name,
    Type Type,
    Func<ITaskHead, JsonNode?> Options,
    Func<ModelDirectoryReader, int, LabelMap, JsonNode?, string, ITaskHead> Create) : IPart;
