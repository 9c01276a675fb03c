using LlmFineTune.Modeling.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace LlmFineTune.Pretraining;

/// <summary>
/// ELECTRA's generator: a narrow masked-LM encoder over the discriminator's own embeddings (HF <c>ElectraForMaskedLM</c> with
/// <c>embedding_size</c> = the discriminator's hidden size). The shared embedding output is projected down to the generator's
/// width (<c>embeddings_project</c>), runs through the generator's layers, and its prediction head projects back up to the
/// embedding width and scores against the shared word embedding table (the tie).
/// </summary>
internal sealed class ElectraGenerator : Module<Tensor, Tensor, Tensor>
{
    private readonly Linear embeddings_project;
    private readonly BertLayerStack encoder;
    private readonly LanguageModelPredictionHead predictions;

    /// <param name="discriminator">The discriminator's shape (embedding width and vocabulary).</param>
    /// <param name="generator">The generator's own shape (width, heads, feed-forward, depth).</param>
    public ElectraGenerator(BertBackboneConfig discriminator, BertBackboneConfig generator) : base("generator")
    {
        embeddings_project = Linear(discriminator.HiddenSize, generator.HiddenSize);
        encoder = new BertLayerStack(generator);
        predictions = new LanguageModelPredictionHead(discriminator, generator.HiddenSize);
        RegisterComponents();
        BertBackbone.Initialize(this, discriminator.InitializerRange);
    }

    /// <summary>The shape a generator of <paramref name="fraction"/> of the discriminator's width gets: the same head width and depth, a 4× feed-forward block.</summary>
    public static BertBackboneConfig ConfigFor(BertBackboneConfig discriminator, double fraction)
    {
        var config = discriminator.Clone();
        config.HiddenSize = Math.Max(1, (int)Math.Round(discriminator.HiddenSize * fraction));
        int headWidth = discriminator.HiddenSize / discriminator.NumAttentionHeads;
        int heads = Math.Max(1, config.HiddenSize / headWidth);
        while (config.HiddenSize % heads != 0) heads--;
        config.NumAttentionHeads = heads;
        config.IntermediateSize = 4 * config.HiddenSize;
        return config;
    }

    /// <summary>The generator's last-layer states.</summary>
    /// <param name="embedded">The shared embedding block's output <c>[batch, seq, embedding width]</c>.</param>
    /// <param name="additiveMask"><see cref="BertBackbone.AdditiveMask"/> of the batch.</param>
    /// <returns><c>[batch, seq, generator width]</c>.</returns>
    public override Tensor forward(Tensor embedded, Tensor additiveMask)
    {
        using var projected = embeddings_project.call(embedded);
        return encoder.call(projected, additiveMask);
    }

    /// <summary>Vocabulary logits of generator states, through the head tied to <paramref name="wordEmbeddings"/>.</summary>
    public Tensor Logits(Tensor states, Tensor wordEmbeddings) => predictions.call(states, wordEmbeddings);
}
