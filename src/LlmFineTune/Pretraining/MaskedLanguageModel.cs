using LlmFineTune.Batching;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Pretraining;

/// <summary>
/// BERT's masked-LM objective: an encoder plus HF's prediction head (dense + GELU + LayerNorm, then a
/// decoder tied to the word embeddings, plus a bias). Its <c>state_dict</c> names are HF
/// <c>BertForMaskedLM</c>'s (<c>bert.*</c>, <c>cls.predictions.*</c>).
/// </summary>
/// <remarks>The loss covers only the chosen positions (labels other than -100); see <see cref="IPretrainingObjective"/>.</remarks>
public sealed class MaskedLanguageModel : Module<Tensor, Tensor, Tensor>, IPretrainingObjective
{
    private readonly BertBackbone bert;
    private readonly MaskedLanguageModelHead cls;
    private readonly TokenMasker masker;
    private readonly ITokenizer tokenizer;

    /// <summary>Creates the objective around an encoder; it takes ownership of the encoder.</summary>
    /// <param name="encoder">The encoder to pretrain.</param>
    /// <param name="tokenizer">The tokenizer of the corpus; needs a <c>[MASK]</c> token and a vocabulary that fits the encoder.</param>
    /// <param name="options">Masking settings; BERT's when null.</param>
    /// <exception cref="ArgumentException">The tokenizer has no mask token, or its vocabulary is larger than the encoder's.</exception>
    public MaskedLanguageModel(BertBackbone encoder, ITokenizer tokenizer, MaskingOptions? options = null) : base(nameof(MaskedLanguageModel))
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabularySize > encoder.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the encoder's vocab_size is {encoder.Config.VocabSize}. Build the encoder with VocabSize = tokenizer.VocabularySize.", nameof(tokenizer));
        masker = new TokenMasker(tokenizer, options ?? new MaskingOptions());
        this.tokenizer = tokenizer;
        bert = encoder;
        cls = new MaskedLanguageModelHead(encoder.Config);
        RegisterComponents();
    }

    /// <summary>The encoder being pretrained.</summary>
    public BertBackbone Encoder => bert;

    /// <summary>The decoder's weight: the encoder's word embedding table itself (the tie).</summary>
    public Parameter DecoderWeight => bert.WordEmbeddings;

    /// <inheritdoc />
    public Module Module => this;

    /// <inheritdoc />
    public Batch CreateBatch(IReadOnlyList<int[]> sequences, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var padded = new PaddedSequences(sequences, tokenizer.PadId);
        var labels = new long[padded.Ids.Length];
        masker.Apply(padded.Ids, padded.Mask, labels, padded.Width, random);
        return new Batch(tensor(padded.Ids, padded.Shape), tensor(padded.Mask, padded.Shape), labels: tensor(labels, padded.Shape));
    }

    /// <inheritdoc />
    public Tensor Loss(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var labels = batch.Labels ?? throw new ArgumentException("A masked-LM batch needs Labels [batch, seq]; build it with CreateBatch.", nameof(batch));
        using var scope = NewDisposeScope();
        var states = bert.forward(batch.InputIds, batch.AttentionMask);
        // Project only the chosen positions: the vocabulary projection is the costliest matmul.
        var chosen = labels.ne(IPretrainingObjective.IgnoredLabel);
        var logits = cls.call(states[chosen], bert.WordEmbeddings);
        return F.cross_entropy(logits, labels[chosen]).MoveToOuterDisposeScope();
    }

    /// <summary>Vocabulary logits at every position.</summary>
    /// <param name="inputIds">int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">int64 <c>[batch, seq]</c>.</param>
    /// <returns><c>[batch, seq, vocab]</c>.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var states = bert.forward(inputIds, attentionMask);
        return cls.call(states, bert.WordEmbeddings);
    }
}
