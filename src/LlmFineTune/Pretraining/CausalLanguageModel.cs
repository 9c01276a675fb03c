using LlmFineTune.Batching;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Causal language modelling: predict every next token with a <see cref="CausalDecoder"/> and an
/// output projection tied to its token embeddings (HF <c>GPT2LMHeadModel</c>; names <c>transformer.*</c>).
/// </summary>
/// <remarks>
/// Labels follow HF: <see cref="Batch.Labels"/> holds the input ids (-100 at padding and at each
/// row's first token, which nothing predicts) and the loss shifts them by one, so position <c>t</c>
/// predicts token <c>t + 1</c>.
/// </remarks>
public sealed class CausalLanguageModel : Module<Tensor, Tensor, Tensor>, IPretrainingObjective
{
    private readonly CausalDecoder transformer;
    private readonly ITokenizer tokenizer;

    /// <summary>Creates the objective around a decoder; it takes ownership of the decoder.</summary>
    /// <param name="decoder">The decoder to pretrain.</param>
    /// <param name="tokenizer">The corpus's tokenizer; its vocabulary must fit the decoder's.</param>
    /// <exception cref="ArgumentException">The tokenizer's vocabulary is larger than the decoder's.</exception>
    public CausalLanguageModel(CausalDecoder decoder, ITokenizer tokenizer) : base(nameof(CausalLanguageModel))
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (tokenizer.VocabularySize > decoder.Config.VocabSize)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the decoder's vocab_size is {decoder.Config.VocabSize}. Build the decoder with VocabSize = tokenizer.VocabularySize.", nameof(tokenizer));
        this.tokenizer = tokenizer;
        transformer = decoder;
        RegisterComponents();
    }

    /// <summary>The decoder being pretrained.</summary>
    public CausalDecoder Decoder => transformer;

    /// <inheritdoc />
    public Module Module => this;

    /// <inheritdoc />
    /// <remarks>Deterministic: causal LM needs no randomness, so <paramref name="random"/> is not used.</remarks>
    public Batch CreateBatch(IReadOnlyList<int[]> sequences, Random random)
    {
        var padded = new PaddedSequences(sequences, tokenizer.PadId);
        // The first token of a row has no predecessor, so it is never a target.
        var labels = padded.Ids.Select((id, i) => padded.Mask[i] == 0 || i % padded.Width == 0 ? IPretrainingObjective.IgnoredLabel : id).ToArray();
        return new Batch(tensor(padded.Ids, padded.Shape), tensor(padded.Mask, padded.Shape), labels: tensor(labels, padded.Shape));
    }

    /// <inheritdoc />
    public Tensor Loss(Batch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var labels = batch.Labels ?? throw new ArgumentException("A causal-LM batch needs Labels [batch, seq]; build it with CreateBatch.", nameof(batch));
        using var scope = NewDisposeScope();
        long seq = batch.InputIds.shape[1];
        var logits = forward(batch.InputIds, batch.AttentionMask).narrow(1, 0, seq - 1);
        var targets = labels.narrow(1, 1, seq - 1);
        return F.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: IPretrainingObjective.IgnoredLabel).MoveToOuterDisposeScope();
    }

    /// <summary>Next-token logits at every position.</summary>
    /// <param name="inputIds">int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">int64 <c>[batch, seq]</c>.</param>
    /// <returns><c>[batch, seq, vocab]</c>.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask)
    {
        using var states = transformer.forward(inputIds, attentionMask);
        return F.linear(states, transformer.TokenEmbeddings);
    }
}
