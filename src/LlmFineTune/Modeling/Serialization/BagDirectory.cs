using System.Text.Json;
using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// A bag-of-n-grams backbone without a head (word vectors learned on unlabeled text): <c>config.json</c> with the bag's
/// keys and no labels, the table in <c>model.safetensors</c> under the name a fine-tuned bag classifier gives it, and
/// the hashing tokenizer's settings, so that fine-tuning hashes exactly as the vectors were learned.
/// </summary>
internal static class BagDirectory
{
    /// <summary>The <c>architectures</c> entry of a bag backbone saved on its own.</summary>
    public const string Architecture = "LlmFineTuneBagBackbone";

    private const string Section = "llmfinetune";

    /// <summary>Writes the backbone, its tokenizer and <paramref name="extra"/> keys of the <c>llmfinetune</c> section.</summary>
    public static void Save(BagOfNgrams bag, HashingTokenizer tokenizer, string directory, JsonObject extra)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (tokenizer.VocabularySize != bag.VocabularySize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the bag {bag.VocabularySize} rows.", nameof(tokenizer));
        Directory.CreateDirectory(directory);
        tokenizer.Save(directory);
        SafeTensors.Write(Path.Combine(directory, ModelDirectory.WeightsFileName),
            bag.named_parameters().Select(p => (CheckpointLayout.Own.BackbonePrefix + p.name, (TorchSharp.torch.Tensor)p.parameter)));
        var section = new JsonObject { ["backbone"] = ClassifierFactory.Bag, ["tokenizer"] = nameof(HashingTokenizer) };
        foreach (var (key, value) in extra) section[key] = value?.DeepClone();
        var config = Config(bag, Architecture);
        config[Section] = section;
        AtomicFile.WriteAllText(Path.Combine(directory, ModelDirectory.ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The bag's <c>config.json</c> keys: its sizes under Hugging Face's names, and what it is.</summary>
    public static JsonObject Config(BagOfNgrams bag, string architecture) => new()
    {
        ["architectures"] = new JsonArray(architecture),
        ["model_type"] = "llmfinetune-bag",
        ["vocab_size"] = bag.VocabularySize,
        ["hidden_size"] = bag.HiddenSize,
    };
}
