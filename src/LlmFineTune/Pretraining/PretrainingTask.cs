using LlmFineTune.Batching;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// Pretraining as an <see cref="ITrainingTask"/>: documents are tokenized, cut (or packed) into
/// sequences and turned into batches by an objective, so <see cref="Trainer"/> runs pretraining with
/// the same machinery as fine-tuning.
/// </summary>
/// <remarks>
/// A finite list of documents gives shuffled epochs with a known <see cref="BatchesPerEpoch"/>; any
/// other sequence is read as a stream, in order, and <see cref="BatchesPerEpoch"/> is null. Masking
/// randomness comes from a generator seeded by (seed, epoch, batch index), so a resumed run
/// rebuilds exactly the batches it would have seen.
/// </remarks>
public sealed class PretrainingTask : ITrainingTask
{
    private readonly IPretrainingObjective objective;
    private readonly ITokenizer tokenizer;
    private readonly IEnumerable<string> documents;
    private readonly PretrainingOptions options;
    private readonly Lazy<IReadOnlyList<int[]>>? finite;
    private readonly Lazy<int[]>? lengths;

    /// <summary>Creates the task.</summary>
    /// <param name="objective">The objective (for example <see cref="MaskedLanguageModel"/>).</param>
    /// <param name="tokenizer">The tokenizer the objective was built with.</param>
    /// <param name="documents">The corpus: an <see cref="IReadOnlyList{T}"/> for epochs, any other sequence for a stream (enumerated once per epoch).</param>
    /// <param name="options">How to cut sequences; defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public PretrainingTask(IPretrainingObjective objective, ITokenizer tokenizer, IEnumerable<string> documents, PretrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(documents);
        this.options = options ?? new PretrainingOptions();
        this.options.Validate();
        this.objective = objective;
        this.tokenizer = tokenizer;
        this.documents = documents;
        if (documents is IReadOnlyList<string> list)
        {
            finite = new Lazy<IReadOnlyList<int[]>>(() => Sequences(list).ToList());
            lengths = new Lazy<int[]>(() => finite.Value.Select(sequence => sequence.Length).ToArray());
        }
    }

    private PretrainingTask(PretrainingTask source, IPretrainingObjective objective)
    {
        this.objective = objective;
        tokenizer = source.tokenizer;
        documents = source.documents;
        options = source.options;
        finite = source.finite;
        lengths = source.lengths;
    }

    /// <summary>The same corpus and sequences for another objective over the same tokenizer, sharing the tokenized corpus (tokenized at most once).</summary>
    internal PretrainingTask WithObjective(IPretrainingObjective other) => new(this, other);

    /// <inheritdoc />
    public nn.Module Module => objective.Module;

    /// <inheritdoc />
    /// <remarks>Tokenizes the whole corpus on first use when it is a list.</remarks>
    public long? BatchesPerEpoch => finite is null ? null : (finite.Value.Count + options.BatchSize - 1) / options.BatchSize;

    /// <inheritdoc />
    public IEnumerable<Batch> Batches(int epoch, int seed, long skip)
    {
        long index = 0;
        foreach (var group in Groups(epoch, seed))
        {
            if (index >= skip)
                yield return objective.CreateBatch(group, new Random(SeedOf(seed, epoch, index)));
            index++;
        }
    }

    /// <inheritdoc />
    public Tensor Loss(Batch batch) => objective.Loss(batch);

    /// <summary>The objective's loss and perplexity on held-out documents, with fixed masking so that calls are comparable.</summary>
    /// <param name="heldOut">Documents not trained on.</param>
    /// <param name="seed">Seeds the masking; keep it fixed across a run.</param>
    /// <returns>The mean loss per predicted token and its exponential.</returns>
    /// <exception cref="ArgumentException">The documents yield no predicted token.</exception>
    public PretrainingEvaluation Evaluate(IEnumerable<string> heldOut, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        var module = objective.Module;
        bool wasTraining = module.training;
        module.eval();
        double sum = 0;
        long tokens = 0, index = 0;
        try
        {
            using var noGrad = no_grad();
            foreach (var group in Sequences(heldOut).Chunk(options.BatchSize))
            {
                using var scope = NewDisposeScope();
                using var batch = objective.CreateBatch(group, new Random(SeedOf(seed, 0, index++)));
                long count = batch.Labels!.ne(IPretrainingObjective.IgnoredLabel).sum().item<long>();
                sum += objective.Loss(batch).item<float>() * (double)count;
                tokens += count;
            }
        }
        finally
        {
            if (wasTraining) module.train();
        }
        if (tokens == 0)
            throw new ArgumentException("The held-out documents gave no token to predict; pass some non-empty documents.", nameof(heldOut));
        double loss = sum / tokens;
        return new PretrainingEvaluation(loss, Math.Exp(loss), tokens);
    }

    /// <summary>The mean padded size (rows × longest row) of an epoch's batches; null for a streamed corpus, whose batches are not known ahead.</summary>
    internal double? MeanPaddedTokensPerBatch(int epoch, int seed) =>
        finite is null ? null : Groups(epoch, seed).Average(group => (double)group.Length * group.Max(sequence => sequence.Length));

    private IEnumerable<int[][]> Groups(int epoch, int seed)
    {
        if (finite is null)
            return Sequences(documents).Chunk(options.BatchSize);
        var all = finite.Value;
        // Sequences of similar length share a batch, so unpacked short documents pay little padding.
        return new LengthBucketSampler(options.BatchSize).Batches(lengths!.Value, SeedOf(seed, epoch, -1))
            .Select(batch => batch.Select(i => all[i]).ToArray());
    }

    internal IEnumerable<int[]> Sequences(IEnumerable<string> texts)
    {
        int? cls = tokenizer.Special.Classification, sep = tokenizer.Special.Separator;
        int room = options.MaxLength - (cls.HasValue ? 1 : 0) - (sep.HasValue ? 1 : 0);
        var buffer = new List<int>(room * 2);
        foreach (string text in texts)
        {
            if (string.IsNullOrWhiteSpace(text)) continue;
            var ids = tokenizer.Encode(text);
            int start = cls.HasValue && ids.Length > 0 && ids[0] == cls ? 1 : 0;
            int end = sep.HasValue && ids.Length > start && ids[^1] == sep ? ids.Length - 1 : ids.Length;
            if (options.Packing && buffer.Count > 0 && sep.HasValue) buffer.Add(sep.Value);
            buffer.AddRange(ids.AsSpan(start, end - start));
            while (buffer.Count >= room)
            {
                yield return Wrap(buffer.GetRange(0, room), cls, sep);
                buffer.RemoveRange(0, room);
            }
            if (!options.Packing && buffer.Count > 0)
            {
                // Without packing a sequence never spans two documents: the rest of this one stands alone.
                yield return Wrap(buffer, cls, sep);
                buffer.Clear();
            }
        }
        if (buffer.Count > 0)
            yield return Wrap(buffer, cls, sep);
    }

    private static int[] Wrap(List<int> content, int? cls, int? sep)
    {
        var sequence = new List<int>(content.Count + 2);
        if (cls.HasValue) sequence.Add(cls.Value);
        sequence.AddRange(content);
        if (sep.HasValue) sequence.Add(sep.Value);
        return [.. sequence];
    }

    /// <summary>A seed that is the same in every process (unlike HashCode.Combine, which is randomised per process).</summary>
    internal static int SeedOf(int seed, int epoch, long index)
    {
        ulong x = (ulong)(uint)seed * 0x9E37_79B9_7F4A_7C15UL ^ (ulong)(uint)epoch << 32 ^ (ulong)index;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return (int)((x ^ (x >> 31)) & int.MaxValue);
    }
}
