namespace LlmFineTune.Batching;

/// <summary>
/// Groups examples of similar length into batches so dynamic padding wastes little: shuffle,
/// sort by length within chunks of <see cref="ChunkBatches"/> batches, cut into batches, then
/// shuffle the batch order. Seeded, so an epoch's batches depend only on the seed.
/// </summary>
/// <remarks>
/// Sorting only inside chunks keeps batches random across the epoch; shuffling the batch order
/// keeps the model from seeing short-to-long runs. Lengths may be token counts or, cheaper and
/// nearly as good, character counts.
/// </remarks>
public sealed class LengthBucketSampler
{
    /// <summary>Creates a sampler.</summary>
    /// <param name="batchSize">Examples per batch (the last batch may be smaller).</param>
    /// <param name="chunkBatches">Batches per sorted chunk. Default 50.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public LengthBucketSampler(int batchSize, int chunkBatches = 50)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkBatches, 1);
        BatchSize = batchSize;
        ChunkBatches = chunkBatches;
    }

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <summary>Batches per chunk sorted by length.</summary>
    public int ChunkBatches { get; }

    /// <summary>The number of batches for <paramref name="count"/> examples.</summary>
    /// <param name="count">Examples.</param>
    /// <returns>Batches per epoch.</returns>
    public long BatchCount(int count) => (count + (long)BatchSize - 1) / BatchSize;

    /// <summary>Orders the examples into batches.</summary>
    /// <param name="lengths">Length of each example (index = example index).</param>
    /// <param name="seed">The epoch's seed; the same seed gives the same batches.</param>
    /// <returns>Example indices per batch; every index appears exactly once.</returns>
    public IReadOnlyList<int[]> Batches(IReadOnlyList<int> lengths, int seed)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var random = new Random(seed);
        int[] order = Enumerable.Range(0, lengths.Count).ToArray();
        random.Shuffle(order);
        // a batch larger than the data set makes one chunk, not an overflow
        int chunk = (int)Math.Min(int.MaxValue, (long)BatchSize * ChunkBatches);
        var batches = new List<int[]>((int)BatchCount(order.Length));
        for (int start = 0; start < order.Length; start += chunk)
        {
            var part = order.AsSpan(start, Math.Min(chunk, order.Length - start));
            // a stable sort on (length, position in the shuffle) keeps the result independent of the sort algorithm
            var sorted = part.ToArray().Select((index, position) => (index, position))
                .OrderBy(p => lengths[p.index]).ThenBy(p => p.position).Select(p => p.index).ToArray();
            for (int b = 0; b < sorted.Length; b += BatchSize)
                batches.Add(sorted[b..Math.Min(b + BatchSize, sorted.Length)]);
        }
        var result = batches.ToArray();
        // sorted chunks would otherwise run short-to-long; a single-batch chunk is already in shuffled
        // order, and keeping it makes N batches of B the same examples as N/2 batches of 2B
        if (ChunkBatches > 1)
            random.Shuffle(result);
        return result;
    }
}
