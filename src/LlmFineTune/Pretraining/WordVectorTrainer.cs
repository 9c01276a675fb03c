using System.Numerics;
using System.Runtime.InteropServices;

namespace LlmFineTune.Pretraining;

/// <summary>
/// fastText's skip-gram and CBOW with negative sampling, on one thread and seeded, over hashed ids: a word's input vector is
/// the mean of its rows (word, then character n-grams), and each word's id also names its output vector.
/// </summary>
internal sealed class WordVectorTrainer
{
    private const int NegativeTableSize = 1 << 21;
    private readonly WordVectorOptions options;
    private readonly int rows;
    private readonly int dimension;
    private readonly Random random;
    private readonly float[] hidden;
    private readonly float[] gradient;
    private int[] negatives = [];
    private int negativeCursor;
    private int distinctWords;

    /// <param name="rows">Rows of the table (the tokenizer's vocabulary size).</param>
    /// <param name="options">Validated settings.</param>
    public WordVectorTrainer(int rows, WordVectorOptions options)
    {
        if ((long)rows * options.Dimension > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(rows), rows, $"{rows:N0} rows of {options.Dimension} floats do not fit one array; use fewer buckets or a smaller dimension.");
        this.options = options;
        this.rows = rows;
        dimension = options.Dimension;
        random = new Random(options.Seed);
        hidden = new float[dimension];
        gradient = new float[dimension];
        // fastText's (and BagOfNgrams') initialisation: inputs uniform(-1/dim, 1/dim), outputs zero.
        Input = new float[(long)rows * dimension];
        for (long i = 0; i < Input.LongLength; i++)
            Input[i] = (float)((random.NextDouble() * 2 - 1) / dimension);
        Output = new float[(long)rows * dimension];
    }

    /// <summary>The input vectors, row-major <c>[rows, dimension]</c>: what the bag's table starts from.</summary>
    public float[] Input { get; }

    /// <summary>The output vectors (one per word id).</summary>
    public float[] Output { get; }

    /// <summary>Trains on a corpus of words, each a span of <paramref name="ids"/> (its word id first, then its subword ids).</summary>
    /// <param name="ids">Every word's ids back to back.</param>
    /// <param name="wordStarts">Where each word's ids start in <paramref name="ids"/>, plus a final entry at its end.</param>
    /// <param name="documentStarts">Where each document's words start, plus a final entry at the word count: windows never cross documents.</param>
    /// <param name="cancellationToken">Checked between documents.</param>
    /// <returns>The mean loss per prediction of each epoch.</returns>
    public double[] Train(int[] ids, int[] wordStarts, int[] documentStarts, CancellationToken cancellationToken)
    {
        int words = wordStarts.Length - 1;
        var counts = new long[rows];
        for (int w = 0; w < words; w++) counts[ids[wordStarts[w]]]++;
        var keep = KeepProbabilities(counts, words);
        negatives = NegativeTable(counts);
        distinctWords = counts.Count(c => c > 0);
        long total = (long)words * options.Epochs, seen = 0;
        var losses = new double[options.Epochs];
        var kept = new List<int>();
        var context = new List<int>();
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            double lossSum = 0;
            long predictions = 0;
            for (int d = 0; d + 1 < documentStarts.Length; d++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                kept.Clear();
                for (int w = documentStarts[d]; w < documentStarts[d + 1]; w++)
                    if (random.NextDouble() < keep[ids[wordStarts[w]]]) kept.Add(w);
                seen += documentStarts[d + 1] - documentStarts[d];
                float rate = (float)(options.LearningRate * Math.Max(0, 1 - (double)seen / total));
                for (int i = 0; i < kept.Count; i++)
                {
                    int reach = random.Next(1, options.Window + 1);
                    int from = Math.Max(0, i - reach), to = Math.Min(kept.Count - 1, i + reach);
                    if (options.Objective == WordVectorObjective.SkipGram)
                    {
                        var input = Span(ids, wordStarts, kept[i]);
                        for (int c = from; c <= to; c++)
                        {
                            if (c == i) continue;
                            lossSum += Update(input, ids[wordStarts[kept[c]]], rate);
                            predictions++;
                        }
                    }
                    else
                    {
                        context.Clear();
                        for (int c = from; c <= to; c++)
                            if (c != i) context.AddRange(Span(ids, wordStarts, kept[c]));
                        if (context.Count == 0) continue;
                        lossSum += Update(CollectionsMarshal.AsSpan(context), ids[wordStarts[kept[i]]], rate);
                        predictions++;
                    }
                }
            }
            losses[epoch] = predictions == 0 ? double.NaN : lossSum / predictions;
        }
        return losses;
    }

    private static ReadOnlySpan<int> Span(int[] ids, int[] wordStarts, int word) => ids.AsSpan(wordStarts[word], wordStarts[word + 1] - wordStarts[word]);

    /// <summary>One prediction: the mean of the input rows scores the target against sampled negatives; returns the loss.</summary>
    private double Update(ReadOnlySpan<int> input, int target, float rate)
    {
        Array.Clear(hidden);
        foreach (int row in input) Add(hidden, Row(Input, row), 1f);
        Scale(hidden, 1f / input.Length);
        Array.Clear(gradient);
        double loss = Logistic(target, true, rate);
        // A corpus of one distinct word has nothing to contrast it with.
        for (int n = 0; n < options.Negatives && distinctWords > 1; n++)
        {
            int negative;
            do
            {
                negative = negatives[negativeCursor];
                negativeCursor = (negativeCursor + 1) % negatives.Length;
            }
            while (negative == target);
            loss += Logistic(negative, false, rate);
        }
        // fastText adds the whole gradient to every input row (it divides by their count only for supervised models).
        foreach (int row in input) Add(Row(Input, row), gradient, 1f);
        return loss;
    }

    private double Logistic(int target, bool label, float rate)
    {
        var output = Row(Output, target);
        float score = 1f / (1f + MathF.Exp(-Dot(output, hidden)));
        float alpha = rate * ((label ? 1f : 0f) - score);
        Add(gradient, output, alpha);
        Add(output, hidden, alpha);
        return -Math.Log(Math.Max(1e-7, label ? score : 1 - score));
    }

    private Span<float> Row(float[] table, int row) => table.AsSpan(row * dimension, dimension);

    private double[] KeepProbabilities(long[] counts, long words)
    {
        var keep = new double[rows];
        for (int r = 0; r < rows; r++)
        {
            if (counts[r] == 0) continue;
            double ratio = options.SamplingThreshold / ((double)counts[r] / words);
            keep[r] = Math.Sqrt(ratio) + ratio;
        }
        return keep;
    }

    /// <summary>Word ids repeated in proportion to count^0.5 and shuffled, as fastText draws negatives.</summary>
    private int[] NegativeTable(long[] counts)
    {
        double z = 0;
        foreach (long c in counts) z += Math.Sqrt(c);
        var table = new List<int>(NegativeTableSize);
        for (int r = 0; r < rows; r++)
        {
            if (counts[r] == 0) continue;
            int copies = Math.Max(1, (int)Math.Round(Math.Sqrt(counts[r]) / z * NegativeTableSize));
            for (int i = 0; i < copies; i++) table.Add(r);
        }
        var array = table.ToArray();
        random.Shuffle(array);
        return array;
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var acc = Vector<float>.Zero;
            for (; i <= a.Length - Vector<float>.Count; i += Vector<float>.Count)
                acc += new Vector<float>(a[i..]) * new Vector<float>(b[i..]);
            sum = Vector.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>target += scale · source.</summary>
    private static void Add(Span<float> target, ReadOnlySpan<float> source, float scale)
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var s = new Vector<float>(scale);
            for (; i <= target.Length - Vector<float>.Count; i += Vector<float>.Count)
                (new Vector<float>(target[i..]) + new Vector<float>(source[i..]) * s).CopyTo(target[i..]);
        }
        for (; i < target.Length; i++) target[i] += source[i] * scale;
    }

    private static void Scale(Span<float> target, float scale)
    {
        for (int i = 0; i < target.Length; i++) target[i] *= scale;
    }
}
