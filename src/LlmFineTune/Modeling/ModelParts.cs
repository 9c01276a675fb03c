using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Parts;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Modeling;

/// <summary>
/// The backbones, task heads and tokenizers a model directory can name: each registers a name, saved in
/// <c>config.json</c>'s <c>llmfinetune</c> section with its options, so that <see cref="TextClassifier.Load"/>
/// rebuilds it. The built-in parts (<c>bag</c>, <c>bert</c>, <c>gpt2</c>; <c>SingleLabelHead</c>,
/// <c>MultiLabelHead</c>, <c>RegressionHead</c>; <c>HashingTokenizer</c>, <c>WordPieceTokenizer</c>,
/// <c>Gpt2Tokenizer</c>) are registered in every instance; register yours once, before saving or loading.
/// </summary>
/// <remarks>
/// <see cref="Default"/> serves <see cref="TextClassifier.Save"/> and <see cref="TextClassifier.Load"/> unless they are
/// given another instance. In a host, register with <c>services.Configure&lt;ModelParts&gt;(parts =&gt; parts.AddHead(...))</c>:
/// classifiers served with <c>AddTextClassifier</c> load through that instance. Thread-safe.
/// </remarks>
public sealed class ModelParts
{
    /// <summary>Creates a registry holding the built-in parts.</summary>
    public ModelParts() => BuiltInParts.AddTo(this);

    /// <summary>The process-wide registry that saving and loading use unless given another.</summary>
    public static ModelParts Default { get; } = new();

    internal PartRegistry<BackbonePart> Backbones { get; } = new("backbone", Call("AddBackbone<TBackbone, TOptions>(\"{0}\", create, options)"));

    internal PartRegistry<HeadPart> Heads { get; } = new("head", Call("AddHead<THead, TOptions>(\"{0}\", create, options)"));

    internal PartRegistry<TokenizerPart> Tokenizers { get; } = new("tokenizer", Call("AddTokenizer<TTokenizer>(\"{0}\", load)"));

    /// <summary>Registers a backbone type under a name; its options are saved in <c>llmfinetune.backbone_options</c> and its tensors under <c>backbone.</c>.</summary>
    /// <typeparam name="TBackbone">The backbone (a TorchSharp module implementing <see cref="IBackbone"/>); saved when a classifier's backbone is exactly this type.</typeparam>
    /// <typeparam name="TOptions">What builds it: a class or record of public properties, written to JSON in snake_case (enums by name).</typeparam>
    /// <param name="name">The name saved in <c>config.json</c>.</param>
    /// <param name="create">Builds an untrained backbone from options read back from a file; the weights are loaded into it afterwards.</param>
    /// <param name="options">The options a backbone was built with, to save.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name or the type is registered already (the message names the other part).</exception>
    public ModelParts AddBackbone<TBackbone, TOptions>(string name, Func<TOptions, TBackbone> create, Func<TBackbone, TOptions> options)
        where TBackbone : class, IBackbone
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(options);
        Backbones.Add(new BackbonePart(name, typeof(TBackbone), CheckpointLayout.Own, PositionsKey: null,
            Config: (backbone, _) => new JsonObject
            {
                ["architectures"] = new JsonArray("LlmFineTuneClassifier"),
                ["model_type"] = "llmfinetune-" + name,
                ["hidden_size"] = backbone.HiddenSize,
            },
            Options: backbone => PartOptionsJson.Write(options((TBackbone)backbone)),
            Create: (_, node, where) => create(PartOptionsJson.Read<TOptions>(node, where))));
        return this;
    }

    /// <summary>Registers a task head type under a name; its options are saved in <c>llmfinetune.head_options</c> and its tensors under their module names.</summary>
    /// <typeparam name="THead">The head (a TorchSharp module implementing <see cref="ITaskHead"/>); saved when a classifier's head is exactly this type.</typeparam>
    /// <typeparam name="TOptions">What builds it besides the width and labels: a class or record of public properties, written to JSON in snake_case (enums by name).</typeparam>
    /// <param name="name">The name saved in <c>config.json</c>.</param>
    /// <param name="create">Builds an untrained head from the backbone's width, the labels and options read back from a file.</param>
    /// <param name="options">The options a head was built with, to save.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name or the type is registered already (the message names the other part).</exception>
    public ModelParts AddHead<THead, TOptions>(string name, Func<int, LabelMap, TOptions, THead> create, Func<THead, TOptions> options)
        where THead : class, ITaskHead
    {
        ArgumentNullException.ThrowIfNull(create);
        ArgumentNullException.ThrowIfNull(options);
        Heads.Add(new HeadPart(name, typeof(THead),
            Options: head => PartOptionsJson.Write(options((THead)head)),
            Create: (_, hiddenSize, labels, node, where) => create(hiddenSize, labels, PartOptionsJson.Read<TOptions>(node, where))));
        return this;
    }

    /// <summary>Registers a tokenizer type under a name; it saves its own files (<see cref="ITokenizer.Save"/>) and <paramref name="load"/> reads them back.</summary>
    /// <typeparam name="TTokenizer">The tokenizer; saved under the name when a classifier's tokenizer is exactly this type.</typeparam>
    /// <param name="name">The name saved in <c>config.json</c>.</param>
    /// <param name="load">Reads the tokenizer from a model directory.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name or the type is registered already (the message names the other part).</exception>
    public ModelParts AddTokenizer<TTokenizer>(string name, Func<string, TTokenizer> load)
        where TTokenizer : class, ITokenizer
    {
        ArgumentNullException.ThrowIfNull(load);
        Tokenizers.Add(new TokenizerPart(name, typeof(TTokenizer), load));
        return this;
    }

    /// <summary>The registering call for messages, in code and in a host; <c>{0}</c> stands for the name.</summary>
    private static string Call(string add) => $"ModelParts.Default.{add} (in a host: services.Configure<ModelParts>(parts => parts.{add}))";
}
