using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using TorchSharp;

namespace LlmFineTune.Modeling.Backbones;

/// <summary>
/// fastText-style backbone: the mean of the embeddings of a text's (hashed) n-grams. Fast, and a
/// strong baseline for topic-like tasks. Padding ids (0) are left out of the mean.
/// </summary>
/// <remarks>
/// By default the embedding table's gradient is sparse: it names only the rows of the batch's ids,
/// so a step costs the batch's rows, not the whole table. The library's AdamW
/// (<see cref="Training.Optimizers.AdamWFactory"/>) then updates just those rows; the
/// <see cref="Training.Trainer"/> hands other optimizers a dense gradient. In a training loop of
/// your own with an optimizer that needs dense gradients, pass <c>sparseGradients: false</c>.
/// </remarks>
public sealed class BagOfNgrams : Module<Tensor, Tensor, Tensor>, IBackbone
{
    /// <summary>The <see cref="IBackbone.Kind"/> of this backbone, and the name of its preset in <see cref="ModelPresets"/>.</summary>
    public const string KindName = "bag";

    private readonly EmbeddingBag embeddings;

    /// <summary>Creates the backbone with uniform(-1/dim, 1/dim) embeddings, as fastText initialises them.</summary>
    /// <param name="vocabularySize">Rows of the embedding table (the tokenizer's vocabulary size).</param>
    /// <param name="dimension">Embedding width.</param>
    /// <param name="sparseGradients">Whether the table's gradient is sparse (only the batch's rows). Default true.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public BagOfNgrams(int vocabularySize, int dimension, bool sparseGradients = true) : this(vocabularySize, dimension, sparseGradients, initialize: true)
    {
    }

    /// <summary>Creates the backbone; without <paramref name="initialize"/> the table is left uninitialized, for a load to fill.</summary>
    /// <remarks>Initializing a 262,144-row table costs about 150 ms (libtorch's normal draw, then fastText's uniform one), which a load would throw away.</remarks>
    internal BagOfNgrams(int vocabularySize, int dimension, bool sparseGradients, bool initialize) : base(nameof(BagOfNgrams))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Runtime.TorchRuntime.EnsureAvailable();
        VocabularySize = vocabularySize;
        HiddenSize = dimension;
        SparseGradients = sparseGradients;
        if (initialize)
        {
            embeddings = EmbeddingBag(vocabularySize, dimension, mode: EmbeddingBagMode.Mean, sparse: sparseGradients, padding_index: 0);
            using (no_grad())
                init.uniform_(embeddings.weight!, -1.0 / dimension, 1.0 / dimension);
        }
        else
        {
            // A two-row module given an uninitialized table: libtorch's constructor would first draw a normal
            // initialization of every row. (EmbeddingBag_from_pretrained is no way round: in TorchSharp 0.107 its
            // forward pass does not read the parameter a load copies into.)
            embeddings = EmbeddingBag(2, dimension, mode: EmbeddingBagMode.Mean, sparse: sparseGradients, padding_index: 0);
            embeddings.weight = new Parameter(empty(vocabularySize, dimension));
        }
        RegisterComponents();
    }

    /// <inheritdoc />
    public string Kind => KindName;

    /// <summary>Rows of the embedding table (the hashing tokenizer's buckets).</summary>
    public int VocabularySize { get; }

    /// <summary>Always null: a bag of n-grams has no position table, so any length fits.</summary>
    public int? MaxPositions => null;

    /// <inheritdoc />
    public int HiddenSize { get; }

    /// <summary>Whether the embedding table's gradient is sparse (names only the rows of the batch's ids).</summary>
    public bool SparseGradients { get; }

    /// <inheritdoc />
    public BackboneOutput Forward(Tensor inputIds, Tensor attentionMask) =>
        new(attentionMask, tokenStates: null, pooled: forward(inputIds, attentionMask));

    /// <summary>Mean embedding of each row's non-padding ids.</summary>
    /// <param name="inputIds">int64 <c>[batch, seq]</c>.</param>
    /// <param name="attentionMask">int64 <c>[batch, seq]</c> (padding is recognised by id 0).</param>
    /// <returns><c>[batch, dimension]</c>.</returns>
    public override Tensor forward(Tensor inputIds, Tensor attentionMask) => embeddings.call(inputIds);

    /// <summary>The embedding table <c>[vocabulary, dimension]</c>, for scoring without a forward pass.</summary>
    internal Tensor Table => embeddings.weight!;

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() => [[.. embeddings.parameters()]];
}
