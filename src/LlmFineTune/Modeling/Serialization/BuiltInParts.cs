using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Parts;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// The library's own backbones, heads and tokenizers, registered in every <see cref="ModelParts"/> under the names
/// saved models have always carried. They go through the registry as a user's parts do; they differ only in writing
/// Hugging Face's config keys (BERT, GPT-2) and in checking sizes against the weights file before allocating.
/// </summary>
internal static class BuiltInParts
{
    public static void AddTo(ModelParts parts)
    {
        parts.Backbones.Add(new BackbonePart(ClassifierFactory.Bag, typeof(BagOfNgrams), CheckpointLayout.Own, PositionsKey: null,
            Config: (backbone, _) => BagDirectory.Config((BagOfNgrams)backbone, "LlmFineTuneBagClassifier"),
            Options: NoOptions,
            Create: (reader, _, _) => ModelDirectory.NewBag(reader)));
        parts.Backbones.Add(new BackbonePart(BertBackbone.KindName, typeof(BertBackbone), CheckpointLayout.Bert, "max_position_embeddings",
            Config: (backbone, head) => EncoderConfig((BertBackbone)backbone, head),
            Options: NoOptions,
            Create: (reader, _, _) => ModelDirectory.NewEncoder(reader)));
        parts.Backbones.Add(new BackbonePart(CausalDecoder.KindName, typeof(CausalDecoder), CheckpointLayout.Gpt2, "n_positions",
            Config: (backbone, head) => HfConfigJson.Write(((CausalDecoder)backbone).Config, HfArchitecture.OfDecoder(head)),
            Options: NoOptions,
            Create: (reader, _, _) => ModelDirectory.NewDecoder(reader)));

        parts.Heads.Add(Head((hidden, labels, o) => new SingleLabelHead(hidden, labels.Count, o)));
        parts.Heads.Add(Head((hidden, labels, o) => new MultiLabelHead(hidden, labels.Count, o)));
        parts.Heads.Add(Head((hidden, _, o) => new RegressionHead(hidden, o), outputs: _ => 1));

        parts.AddTokenizer(nameof(HashingTokenizer), HashingTokenizer.Load);
        parts.AddTokenizer(nameof(WordPieceTokenizer), WordPieceTokenizer.Load);
        parts.AddTokenizer(nameof(Gpt2Tokenizer), Gpt2Tokenizer.Load);
    }

    /// <summary>The transformer backbones keep every setting in Hugging Face's keys.</summary>
    private static JsonNode? NoOptions(IBackbone backbone) => null;

    private static JsonObject EncoderConfig(BertBackbone encoder, ITaskHead head)
    {
        string architecture = HfArchitecture.OfEncoder(encoder, head);
        var config = HfConfigJson.Write(encoder.Config, architecture);
        // HF's BertForSequenceClassification drops out the pooled vector with classifier_dropout (else hidden_dropout_prob).
        if (architecture == HfArchitecture.BertClassifier && head is TaskHead bertHead)
            config["classifier_dropout"] = bertHead.Options.Dropout;
        return config;
    }

    /// <summary>A built-in head, saved under its type name with its <see cref="HeadOptions"/>; its size is checked against the weights file before it is built.</summary>
    private static HeadPart Head<THead>(Func<int, LabelMap, HeadOptions, THead> create, Func<LabelMap, int>? outputs = null) where THead : TaskHead =>
        new(typeof(THead).Name, typeof(THead),
            Options: head => PartOptionsJson.Write(((TaskHead)head).Options),
            Create: (reader, hiddenSize, labels, node, where) =>
            {
                var options = PartOptionsJson.Read<HeadOptions>(node, where);
                ModelDirectory.RequireWeightsFor(reader, ModelDirectory.HeadParameters(hiddenSize, outputs?.Invoke(labels) ?? labels.Count, options.HiddenSize));
                return create(hiddenSize, labels, options);
            });
}
