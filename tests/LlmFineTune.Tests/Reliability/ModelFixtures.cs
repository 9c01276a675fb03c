using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;
using TorchSharp;

namespace LlmFineTune.Tests.Reliability;

/// <summary>Tiny saved model directories for the hostile-file tests to corrupt.</summary>
internal static class ModelFixtures
{
    public static readonly LabelMap Labels = new(["no", "yes"]);

    /// <summary>A bag-of-n-grams classifier (hashing tokenizer, 64 buckets, width 4).</summary>
    public static TextClassifier Bag()
    {
        torch.manual_seed(3);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 64 });
        return new TextClassifier(tokenizer, new BagOfNgrams(tokenizer.VocabularySize, 4), new SingleLabelHead(4, Labels.Count), Labels, maxLength: 16);
    }

    /// <summary>A one-layer BERT classifier with a hashing tokenizer.</summary>
    public static TextClassifier Bert()
    {
        torch.manual_seed(3);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = 31 });
        var config = new BertBackboneConfig { VocabSize = 32, HiddenSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 2, IntermediateSize = 16, MaxPositionEmbeddings = 16 };
        return new TextClassifier(tokenizer, new BertBackbone(config), new SingleLabelHead(8, Labels.Count), Labels, maxLength: 16);
    }

    /// <summary>Saves <paramref name="model"/> into a new temporary directory, without its manifest, and disposes it.</summary>
    /// <remarks>
    /// The hostile-file tests edit the files by hand, which the manifest check would refuse before the
    /// reader under test sees them; without the manifest the directory loads as one saved before manifests existed.
    /// </remarks>
    public static string Save(TextClassifier model, string parent, string name)
    {
        string directory = Path.Combine(parent, name);
        using (model)
            model.Save(directory);
        File.Delete(Path.Combine(directory, ModelManifest.FileName));
        return directory;
    }
}
