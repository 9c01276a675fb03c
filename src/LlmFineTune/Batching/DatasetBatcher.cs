using LlmFineTune.Data;

namespace LlmFineTune.Batching;

/// <summary>
/// An epoch of collated batches from a labeled dataset: seeded order (length-bucketed or plain
/// shuffle), cheap skipping for resumed runs, and background preparation. Each text is tokenized
/// once, when its first batch is built; later epochs reuse its ids. Its
/// <see cref="Batches"/> has the shape of <c>ITrainingTask.Batches</c>, so a training task can
/// return it directly.
/// </summary>
public sealed class DatasetBatcher
{
    private readonly ITextDataset data;
    private readonly BatchCollator builder;
    private readonly LabelMap labels;
    private readonly LengthBucketSampler sampler;
    private readonly int[] lengths;
    private readonly int prefetch;
    private readonly int[]?[] encoded;

    /// <summary>Creates a batcher.</summary>
    /// <param name="data">The examples.</param>
    /// <param name="builder">Tokenizes, truncates and pads.</param>
    /// <param name="labels">The model's classes (ids for the targets); usually the dataset's own map.</param>
    /// <param name="batchSize">Examples per batch.</param>
    /// <param name="bucketByLength">Group similar lengths (by characters) to cut padding; false for a plain shuffle. Default true.</param>
    /// <param name="prefetch">Batches prepared ahead on a background thread, or 0 to build on the caller's thread. Default 2.</param>
    /// <exception cref="ArgumentException">The dataset is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is below 1 or <paramref name="prefetch"/> negative.</exception>
    public DatasetBatcher(ITextDataset data, BatchCollator builder, LabelMap labels, int batchSize, bool bucketByLength = true, int prefetch = 2)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        if (data.Count == 0)
            throw new ArgumentException("The dataset is empty.", nameof(data));
        this.data = data;
        this.builder = builder;
        this.labels = labels;
        this.prefetch = prefetch;
        encoded = new int[]?[data.Count];
        // one chunk of a single batch sorts nothing: a plain seeded shuffle
        sampler = bucketByLength ? new LengthBucketSampler(batchSize) : new LengthBucketSampler(batchSize, chunkBatches: 1);
        lengths = bucketByLength ? data.Select(e => e.Text.Length).ToArray() : new int[data.Count];
    }

    /// <summary>Batches per epoch.</summary>
    public long BatchesPerEpoch => sampler.BatchCount(data.Count);

    /// <summary>The batches of one epoch; the order depends only on <paramref name="epoch"/> and <paramref name="seed"/>.</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="skip">Batches to pass over without building them (a resumed run).</param>
    /// <param name="cancellationToken">Stops background preparation.</param>
    /// <returns>Batches the caller disposes; built lazily (and ahead, when prefetching).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="skip"/> is negative.</exception>
    public IEnumerable<Batch> Batches(int epoch, int seed, long skip = 0, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skip);
        var order = sampler.Batches(lengths, EpochSeed(seed, epoch));
        var batches = Build(order, skip);
        return prefetch > 0 ? batches.Prefetch(prefetch, cancellationToken) : batches;
    }

    /// <summary>The example indices of each batch of an epoch, in order (what <see cref="Batches"/> collates).</summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="seed">The run's seed.</param>
    /// <returns>Indices into the dataset, one array per batch.</returns>
    public IReadOnlyList<int[]> Order(int epoch, int seed) => sampler.Batches(lengths, EpochSeed(seed, epoch));

    /// <summary>Mixes run seed and epoch the same way in every process (HashCode.Combine is randomized per process).</summary>
    internal static int EpochSeed(int seed, int epoch)
    {
        ulong x = ((ulong)(uint)seed << 32) | (uint)epoch;
        // SplitMix64 finalizer
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)(x ^ (x >> 31));
    }

    private IEnumerable<Batch> Build(IReadOnlyList<int[]> order, long skip)
    {
        for (long b = skip; b < order.Count; b++)
        {
            var indices = order[(int)b];
            var examples = new TextExample[indices.Length];
            var sequences = new int[indices.Length][];
            for (int i = 0; i < examples.Length; i++)
            {
                examples[i] = data[indices[i]];
                // Tokenized once, on first use: later epochs only pad (4 bytes per token kept for the run).
                sequences[i] = encoded[indices[i]] ??= builder.Encode(examples[i].Text);
            }
            yield return builder.Build(examples, sequences, data.Kind, labels);
        }
    }
}
