using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;

namespace LlmFineTune.Modeling.Serialization;

/// <summary>
/// The Hugging Face class a saved classifier claims in <c>config.json</c>'s <c>architectures</c>: the
/// <c>...ForSequenceClassification</c> class only when the model computes exactly what that class
/// computes; otherwise the base model (<c>BertModel</c>, <c>GPT2Model</c>), whose weights transformers
/// loads, and the <c>llmfinetune</c> section describes the head to put on top.
/// </summary>
internal static class HfArchitecture
{
    public const string BertClassifier = "BertForSequenceClassification";
    public const string BertBase = "BertModel";
    public const string Gpt2Classifier = "GPT2ForSequenceClassification";
    public const string Gpt2Base = "GPT2Model";

    /// <summary>The class a BERT classifier claims: logits = classifier(dropout(tanh(pooler.dense(h[:, 0])))), the pooler trained with the head.</summary>
    public static string OfEncoder(BertBackbone encoder, ITaskHead head) =>
        encoder.UsePooler && IsLinearOnBackbonePooling(head, bias: true) ? BertClassifier : BertBase;

    /// <summary>The class a GPT-2 classifier claims: logits = score(h[last non-pad token]), score without a bias.</summary>
    public static string OfDecoder(ITaskHead head) =>
        IsLinearOnBackbonePooling(head, bias: false) ? Gpt2Classifier : Gpt2Base;

    /// <summary>Whether the head is a built-in one with one linear layer over the backbone's own pooled vector (no MLP, no other pooling).</summary>
    /// <remarks>A user's <see cref="TaskHead"/> subclass may compute anything, so it never claims a Hugging Face head.</remarks>
    private static bool IsLinearOnBackbonePooling(ITaskHead head, bool bias) =>
        head is SingleLabelHead or MultiLabelHead or RegressionHead
        && head is TaskHead { Options: { Pooling: PoolingMode.Backbone, HiddenSize: 0 } } builtIn
        && builtIn.HasOutputBias == bias;
}
