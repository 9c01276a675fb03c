using System.Text.Json.Nodes;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// One read of a model directory: <c>config.json</c> is parsed and the weights file's header read at most once,
/// however many parts of the load (manifest check, backbone, head, weights) look at them.
/// </summary>
internal sealed class ModelDirectoryReader(string directory)
{
    private JsonObject? config;
    private IReadOnlyDictionary<string, SafeTensorEntry>? header;

    /// <summary>The directory.</summary>
    public string Directory { get; } = directory;

    /// <summary>The path of <c>config.json</c>, for messages.</summary>
    public string ConfigPath { get; } = Path.Combine(directory, ModelDirectory.ConfigFileName);

    /// <summary>The path of <c>model.safetensors</c>.</summary>
    public string WeightsPath { get; } = Path.Combine(directory, ModelDirectory.WeightsFileName);

    /// <summary>The parsed <c>config.json</c>.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not a JSON object.</exception>
    public JsonObject Config => config ??= JsonFiles.ReadObject(ConfigPath);

    /// <summary>The <c>llmfinetune</c> section of <c>config.json</c>; empty for a file written by another tool.</summary>
    public JsonObject Section => Config[ModelDirectory.Section] as JsonObject ?? [];

    /// <summary>The validated header of <c>model.safetensors</c>.</summary>
    /// <exception cref="FileNotFoundException">The file is missing.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors.</exception>
    public IReadOnlyDictionary<string, SafeTensorEntry> Header => header ??= SafeTensors.ReadHeader(WeightsPath);
}
