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
        var config = new JsonObject
        {
            ["architectures"] = new JsonArray(Architecture),
            ["model_type"] = "llmfinetune-bag",
            ["vocab_size"] = bag.VocabularySize,
            ["hidden_size"] = bag.HiddenSize,
            [Section] = section,
        };
        AtomicFile.WriteAllText(Path.Combine(directory, ModelDirectory.ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Loads the backbone of a bag directory (saved by <see cref="Save"/>, or a fine-tuned bag classifier's).</summary>
    /// <returns>The bag; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed, or the table is not in the weights file.</exception>
    public static BagOfNgrams Load(string directory)
    {
        string path = Path.Combine(directory, ModelDirectory.ConfigFileName);
        var bag = ModelDirectory.NewBag(JsonFiles.ReadObject(path), path, directory);
        try
        {
            string weights = Path.Combine(directory, ModelDirectory.WeightsFileName);
            var targets = bag.named_parameters().ToDictionary(p => CheckpointLayout.Own.BackbonePrefix + p.name, p => (TorchSharp.torch.Tensor)p.parameter);
            var (missing, _) = SafeTensors.LoadInto(weights, targets);
            if (missing.Count > 0)
                throw new InvalidDataException($"{weights}: the bag's table '{missing[0]}' is missing. Is this a bag model directory?");
        }
        catch
        {
            bag.Dispose();
            throw;
        }
        return bag;
    }
}
