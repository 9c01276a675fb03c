using LlmFineTune.Batching;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Pretraining;

/// <summary>
/// ELECTRA's replaced-token detection (Clark et al., ICLR 2020): a small generator (a masked LM a fraction of the encoder's width)
/// fills masked positions with tokens sampled from its softmax, and the encoder, the discriminator, predicts for every token
/// whether it is the original or a replacement. Loss = generator MLM loss + λ · discriminator binary cross-entropy.
/// </summary>
/// <remarks>
/// <para>The generator shares the discriminator's embedding block (word, position and type tables and their LayerNorm), as the
/// paper does, and projects it to its own width (HF <c>embeddings_project</c>); so the discriminator stays a plain
/// <see cref="BertBackbone"/> and what is saved of it is a BERT encoder that every encoder loader reads. <c>state_dict</c> names:
/// <c>bert.*</c> (the encoder, HF's BERT names), <c>discriminator_predictions.{dense,dense_prediction}.*</c> (HF's ELECTRA names)
/// and <c>generator.*</c>.</para>
/// <para>Batches: <see cref="Batch.Labels"/> holds the original token at each masked position and -100 elsewhere, as in masked LM;
/// <see cref="Batch.Targets"/> holds one uniform draw in [0, 1) per position, from the batch's seeded <see cref="Random"/>, which
/// picks the sampled replacement (inverse CDF), so a batch is reproducible and a resumed run samples what the first run did. The
/// sampling carries no gradient. A position counts as replaced only when the sampled token differs from the original.</para>
/// </remarks>
public sealed class ReplacedTokenDetection : Module<Tensor, Tensor, Tensor>, IPretrainingObjective
{
    private readonly BertBackbone bert;
    private readonly DiscriminatorHead discriminator_predictions;
    private readonly ElectraGenerator generator;
    private readonly TokenMasker masker;
    private readonly ITokenizer tokenizer;
    private readonly Scalar discriminatorWeight;

    /// <summary>Creates the objective around an encoder (the discriminator); it takes ownership of the encoder.</summary>
    /// <param name="encoder">The encoder to pretrain.</param>
    /// <param name="tokenizer">The tokenizer of the corpus; needs a <c>[MASK]</c> token and a vocabulary that fits the encoder.</param>
    /// <param name="options">Generator size, loss weight and masking; the paper's when null.</param>
    /// <exception cref="ArgumentException">The tokenizer has no mask token, or its vocabulary is larger than the encoder's.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ReplacedTokenDetection(BertBackbone encoder, ITokenizer tokenizer, ReplacedTokenDetectionOptions? options = null) : base(nameof(ReplacedTokenDetection))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        options ??= new ReplacedTokenDetectionOptions();
        options.Validate();
        if (tokenizer.VocabularySize > encoder.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the encoder's vocab_size is {encoder.Config.VocabSize}. Build the encoder with VocabSize = tokenizer.VocabularySize.", nameof(tokenizer));
        masker = new TokenMasker(tokenizer, options.Masking);
        this.tokenizer = tokenizer;
        discriminatorWeight = options.DiscriminatorWeight.ToScalar();
        bert = encoder;
        GeneratorConfig = ElectraGenerator.ConfigFor(encoder.Config, options.GeneratorSizeFraction);
        discriminator_predictions = new DiscriminatorHead(encoder.Config, initialReplacedShare: options.Masking.Probability);
        generator = new ElectraGenerator(encoder.Config, GeneratorConfig);
        RegisterComponents();
    }

    /// <summary>The encoder being pretrained (the discriminator).</summary>
    public BertBackbone Encoder => bert;

    /// <summary>The generator's shape (a copy): its width, heads and feed-forward size; vocabulary and positions are the encoder's.</summary>
    public BertBackboneConfig GeneratorConfig { get; }

    /// <inheritdoc />
    public Module Module => this;

    /// <inheritdoc />
    /// <remarks><see cref="Batch.Targets"/> holds the sampling draws; see the class remarks.</remarks>
    public Batch CreateBatch(IReadOnlyList<int[]> sequences, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var padded = new PaddedSequences(sequences, tokenizer.PadId);
        var labels = new long[padded.Ids.Length];
        masker.Apply(padded.Ids, padded.Mask, labels, padded.Width, random);
        var draws = new float[padded.Ids.Length];
        for (int i = 0; i < draws.Length; i++)
            draws[i] = labels[i] == IPretrainingObjective.IgnoredLabel ? 0f : random.NextSingle();
        return new Batch(tensor(padded.Ids, padded.Shape), tensor(padded.Mask, padded.Shape), labels: tensor(labels, padded.Shape), targets: tensor(draws, padded.Shape));
    }

    /// <summary>The generator's mean cross-entropy over the masked positions plus λ times the discriminator's mean binary cross-entropy over every non-padding token.</summary>
    /// <param name="batch">A batch from <see cref="CreateBatch"/>.</param>
    /// <returns>A scalar tensor in the caller's dispose scope.</returns>
    public Tensor Loss(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var labels = batch.Labels ?? throw new ArgumentException("A replaced-token-detection batch needs Labels [batch, seq]; build it with CreateBatch.", nameof(batch));
        var draws = batch.Targets ?? throw new ArgumentException("A replaced-token-detection batch needs Targets [batch, seq] (the sampling draws); build it with CreateBatch.", nameof(batch));
        using var scope = NewDisposeScope();
        var chosen = labels.ne(IPretrainingObjective.IgnoredLabel);
        var originals = labels[chosen];
        // The generator scores only the masked positions: the vocabulary projection is its costliest matmul.
        var generatorStates = generator.call(bert.Embed(batch.InputIds), BertBackbone.AdditiveMask(batch.AttentionMask));
        var generatorLogits = generator.Logits(generatorStates[chosen], bert.WordEmbeddings);
        var generatorLoss = F.cross_entropy(generatorLogits, originals);

        var (corrupted, replaced) = Replace(batch.InputIds, chosen, originals, generatorLogits, draws[chosen]);
        var real = batch.AttentionMask.ne(0L);
        var discriminatorLoss = F.binary_cross_entropy_with_logits(forward(corrupted, batch.AttentionMask)[real], replaced[real]);
        return generatorLoss.add(discriminatorLoss, discriminatorWeight).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The discriminator's input and targets: each masked position gets a token sampled from the generator's softmax by inverse CDF
    /// of its draw, and counts as replaced (1) only when that token differs from the original. No gradient flows through this.
    /// </summary>
    /// <param name="inputIds">The generator's input <c>[batch, seq]</c>; unmasked positions hold the original tokens.</param>
    /// <param name="chosen">bool <c>[batch, seq]</c>, the masked positions.</param>
    /// <param name="originals">The original tokens at the masked positions, <c>[masked]</c>.</param>
    /// <param name="generatorLogits"><c>[masked, vocab]</c>.</param>
    /// <param name="draws">Uniform draws in [0, 1), <c>[masked]</c>.</param>
    /// <returns>The corrupted ids <c>[batch, seq]</c> and float replaced-labels <c>[batch, seq]</c>, in the caller's scope.</returns>
    internal static (Tensor Corrupted, Tensor Replaced) Replace(Tensor inputIds, Tensor chosen, Tensor originals, Tensor generatorLogits, Tensor draws)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var cumulative = F.softmax(generatorLogits.detach(), -1).cumsum(-1);
        // the number of tokens whose cumulative probability lies below the draw is the sampled id
        var sampled = cumulative.lt(draws.unsqueeze(-1)).sum(-1).clamp_max(generatorLogits.shape[^1] - 1);
        var corrupted = inputIds.clone().index_put_(sampled, chosen);
        var replaced = zeros(inputIds.shape, ScalarType.Float32).index_put_(sampled.ne(originals).to_type(ScalarType.Float32), chosen);
        return (corrupted.MoveToOuterDisposeScope(), replaced.MoveToOuterDisposeScope());
    }

    /// <summary>The discriminator's logits: positive where it judges a token replaced.</summary>
    /// <param name="inputIds">int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">int64 <c>[batch, seq]</c>.</param>
    /// <returns><c>[batch, seq]</c>.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var states = bert.forward(inputIds, attentionMask);
        return discriminator_predictions.call(states);
    }
}
