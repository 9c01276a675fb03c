using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Validation;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Modeling.Heads;

/// <summary>
/// The body every built-in head shares: pooling, dropout, an optional tanh hidden layer, and a
/// linear projection to the outputs. Derive from it to write your own head: supply the loss and
/// the scores, and the pooling and projection come for free.
/// </summary>
/// <remarks>Checkpoint keys: <c>dense.*</c> (MLP only) and <c>classifier.*</c>, as Hugging Face names a classification head.</remarks>
public abstract class TaskHead : Module<Tensor, Tensor>, ITaskHead
{
    private readonly Dropout dropout;
    private readonly Linear? dense;
    private readonly Linear classifier;

    /// <summary>Builds the pooling and projection.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="hiddenSize">The backbone's width.</param>
    /// <param name="outputs">Logits per text.</param>
    /// <param name="options">Pooling, MLP and dropout settings; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">An option is invalid; the message names it.</exception>
    protected TaskHead(string name, int hiddenSize, int outputs, HeadOptions? options) : base(name)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        Options = OptionsValidation.ThrowIfInvalid(HeadOptionsValidator.Instance, options ?? new HeadOptions());
        Runtime.TorchRuntime.EnsureAvailable();
        Outputs = outputs;
        dropout = Dropout(Options.Dropout);
        register_module(nameof(dropout), dropout);
        if (Options.HiddenSize > 0)
        {
            dense = Linear(hiddenSize, Options.HiddenSize);
            register_module(nameof(dense), dense);
        }
        classifier = Linear(Options.HiddenSize > 0 ? Options.HiddenSize : hiddenSize, outputs);
        register_module(nameof(classifier), classifier);
    }

    /// <summary>The settings this head was built with.</summary>
    public HeadOptions Options { get; }

    /// <summary>Logits per text.</summary>
    public int Outputs { get; }

    /// <inheritdoc />
    public abstract TaskKind Kind { get; }

    /// <inheritdoc />
    public Tensor Forward(BackboneOutput features)
    {
        ArgumentNullException.ThrowIfNull(features);
        return forward(Pooler.Pool(features, Options.Pooling));
    }

    /// <summary>Projects pooled features to logits.</summary>
    /// <param name="pooled"><c>[batch, hidden]</c>.</param>
    /// <returns><c>[batch, outputs]</c>.</returns>
    public override Tensor forward(Tensor pooled)
    {
        var x = dropout.call(pooled);
        if (dense is not null)
            x = dropout.call(dense.call(x).tanh());
        return classifier.call(x);
    }

    /// <summary>The hidden tanh layer (an MLP head), or null for a linear head; for scoring without a forward pass.</summary>
    internal Linear? Dense => dense;

    /// <summary>The output projection; for scoring without a forward pass.</summary>
    internal Linear Classifier => classifier;

    /// <summary>
    /// Drops the output layer's bias, for backbones whose Hugging Face classifier has none (GPT-2's
    /// <c>score</c>), so that the saved weights map one to one onto the Hugging Face model's.
    /// </summary>
    internal void RemoveOutputBias() => classifier.bias = null;

    /// <summary>Whether the output layer adds a bias (false after <see cref="RemoveOutputBias"/>).</summary>
    internal bool HasOutputBias => classifier.bias is not null;

    /// <inheritdoc />
    public abstract Tensor Loss(Tensor logits, Batch batch);

    /// <inheritdoc />
    public abstract Tensor Scores(Tensor logits);

    /// <inheritdoc />
    public virtual float DecisionThreshold(int output) => 0.5f;
}
