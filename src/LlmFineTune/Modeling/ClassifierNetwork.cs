using System.Diagnostics.CodeAnalysis;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Modeling;

/// <summary>The trainable module of a <see cref="TextClassifier"/>: backbone then head.</summary>
internal sealed class ClassifierNetwork : Module<Tensor, Tensor, Tensor>
{
    public ClassifierNetwork(IBackbone backbone, ITaskHead head) : base("classifier_network")
    {
        Backbone = backbone;
        Head = head;
        register_module("backbone", AsModule(backbone, nameof(backbone)));
        register_module("head", AsModule(head, nameof(head)));
    }

    public IBackbone Backbone { get; }

    public ITaskHead Head { get; }

    public override Tensor forward(Tensor inputIds, Tensor attentionMask) =>
        Head.Forward(ReadsFirstTokenOnly(out var bert) ? bert.ForwardFirstToken(inputIds, attentionMask) : Backbone.Forward(inputIds, attentionMask));

    /// <summary>
    /// Whether, outside training, the head reads nothing of a BERT backbone's last layer but the first ([CLS])
    /// position (CLS pooling, or BERT's pooler, which reads [CLS]): then that layer computes the one position, a
    /// fifth of bert-mini's work per text less, with the same scores. Training runs the whole stack, as HF does.
    /// </summary>
    private bool ReadsFirstTokenOnly([NotNullWhen(true)] out BertBackbone? bert)
    {
        bert = Backbone as BertBackbone;
        return !training && bert is not null && Head is TaskHead head && Pooler.ReadsFirstTokenOnly(head.Options.Pooling, bert.UsePooler);
    }

    private static Module AsModule(object part, string name) =>
        part as Module ?? throw new ArgumentException($"{part.GetType().Name} must derive from TorchSharp.torch.nn.Module so that its parameters can train and be saved.", name);
}
