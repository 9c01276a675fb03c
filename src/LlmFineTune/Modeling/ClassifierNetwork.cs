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
        Head.Forward(Backbone.Forward(inputIds, attentionMask));

    private static Module AsModule(object part, string name) =>
        part as Module ?? throw new ArgumentException($"{part.GetType().Name} must derive from TorchSharp.torch.nn.Module so that its parameters can train and be saved.", name);
}
