using LlmFineTune.Data;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Batching;

/// <summary>Collates examples into a <see cref="Batch"/>: tokenizes, truncates, pads to the longest and encodes targets.</summary>
public sealed class BatchCollator
{
    private readonly ITokenizer tokenizer;
    private readonly int maxLength;

    /// <summary>Creates a collator.</summary>
    /// <param name="tokenizer">The tokenizer.</param>
    /// <param name="maxLength">Most tokens per text, special tokens included.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLength"/> is below 1.</exception>
    public BatchCollator(ITokenizer tokenizer, int maxLength)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
    }

    /// <summary>Tokenizes one text with this collator's truncation.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The ids.</returns>
    public int[] Encode(string text) => tokenizer.Encode(text, maxLength);

    /// <summary>Pads already-encoded texts into ids and mask tensors.</summary>
    /// <param name="sequences">One id array per example, each non-empty.</param>
    /// <returns>Ids and mask, int64 <c>[batch, longest]</c>; the caller owns them.</returns>
    /// <exception cref="ArgumentException"><paramref name="sequences"/> is empty or holds an id outside the tokenizer's vocabulary.</exception>
    public (Tensor InputIds, Tensor AttentionMask) Pad(IReadOnlyList<int[]> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
            throw new ArgumentException("A batch needs at least one sequence.", nameof(sequences));
        int rows = sequences.Count;
        int width = Math.Max(1, sequences.Max(s => s.Length));
        var ids = new long[rows * width];
        var mask = new long[rows * width];
        if (tokenizer.PadId != 0)
            Array.Fill(ids, tokenizer.PadId);
        for (int r = 0; r < rows; r++)
        {
            var row = sequences[r];
            CheckIds(r, row);
            for (int c = 0; c < row.Length; c++)
            {
                ids[r * width + c] = row[c];
                mask[r * width + c] = 1;
            }
        }
        long[] shape = [rows, width];
        return (tensor(ids, shape), tensor(mask, shape));
    }

    /// <summary>Refuses ids outside the tokenizer's vocabulary.</summary>
    /// <remarks>Checked here, in managed code: an out-of-range id reaching libtorch (or a table read in place) fails far from its cause.</remarks>
    /// <param name="sequence">The sequence's index in its batch, for the message.</param>
    /// <param name="ids">Its ids.</param>
    /// <exception cref="ArgumentException">An id is outside the tokenizer's vocabulary.</exception>
    internal void CheckIds(int sequence, int[] ids)
    {
        int vocabulary = tokenizer.VocabularySize;
        for (int c = 0; c < ids.Length; c++)
            if ((uint)ids[c] >= (uint)vocabulary)
                throw new ArgumentException($"Sequence {sequence} holds id {ids[c]} at position {c}, outside the tokenizer's vocabulary [0, {vocabulary - 1}]. {tokenizer.GetType().Name}.Encode and VocabularySize disagree.", "sequences");
    }

    /// <summary>Collates labeled examples of a dataset.</summary>
    /// <param name="examples">The examples of this batch.</param>
    /// <param name="kind">The task kind.</param>
    /// <param name="labels">The label map for class ids.</param>
    /// <returns>The batch; the caller owns it.</returns>
    /// <exception cref="InvalidDataException">An example's label is not in <paramref name="labels"/>.</exception>
    public Batch Build(IReadOnlyList<TextExample> examples, TaskKind kind, LabelMap labels)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var sequences = new int[examples.Count][];
        for (int i = 0; i < sequences.Length; i++)
            sequences[i] = Encode(examples[i].Text);
        return Build(examples, sequences, kind, labels);
    }

    /// <summary>Pads already-encoded sequences and attaches the examples' labels or targets.</summary>
    internal Batch Build(IReadOnlyList<TextExample> examples, IReadOnlyList<int[]> sequences, TaskKind kind, LabelMap labels)
    {
        var (inputIds, mask) = Pad(sequences);
        return kind switch
        {
            TaskKind.SingleLabel => new Batch(inputIds, mask, labels: tensor(examples.Select(e => (long)LabelId(labels, e, e.Label!)).ToArray())),
            TaskKind.MultiLabel => new Batch(inputIds, mask, targets: MultiHot(examples, labels)),
            _ => new Batch(inputIds, mask, targets: tensor(examples.Select(e => e.Value ?? float.NaN).ToArray())),
        };
    }

    private static Tensor MultiHot(IReadOnlyList<TextExample> examples, LabelMap labels)
    {
        var hot = new float[examples.Count * labels.Count];
        for (int i = 0; i < examples.Count; i++)
            foreach (string label in examples[i].Labels ?? [])
                hot[i * labels.Count + LabelId(labels, examples[i], label)] = 1f;
        return tensor(hot, [examples.Count, labels.Count]);
    }

    private static int LabelId(LabelMap labels, TextExample example, string label) =>
        labels.TryGetId(label, out int id)
            ? id
            : throw new InvalidDataException($"{example.Source ?? "example"}: label '{label}' is not one of the model's labels ({string.Join(", ", labels.Take(20))}). Train with this label, or drop the example.");
}
