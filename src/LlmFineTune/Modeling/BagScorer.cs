using System.Diagnostics.CodeAnalysis;
using System.Numerics;
using System.Runtime.CompilerServices;
using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Runtime;
using TorchSharp.Modules;

namespace LlmFineTune.Modeling;

/// <summary>
/// Scores texts for a bag-of-n-grams backbone under a built-in head in managed code, reading the network's own weights in
/// place. Per text that is the mean of a few hundred table rows, one or two small matrix-vector products and a softmax:
/// far less work than the libtorch calls that would run it (an <c>EmbeddingBag</c> pass over a padded batch cost about
/// 40 µs per 256-token text; this costs about 3 µs), and it spreads over the cores together with the tokenizing.
/// The scores equal the network's within float rounding (tests).
/// </summary>
internal static unsafe class BagScorer
{
    /// <summary>Below this many texts per thread, one thread does all: waking a worker costs about as much as a hundred texts (measured: 64-text batches on two threads ran slower than on one).</summary>
    private const int TextsPerThread = 128;

    /// <summary>
    /// Scores texts when the network is a <see cref="BagOfNgrams"/> under a built-in head in eval mode whose weights are
    /// dense float32 on the CPU; null otherwise (the caller then runs the network).
    /// </summary>
    /// <param name="network">The classifier's network.</param>
    /// <param name="collator">Tokenizes and checks one text, truncated as the classifier does.</param>
    /// <param name="texts">The texts.</param>
    /// <param name="temperatures">The temperatures to score at: one flat <c>[texts, outputs]</c> array each.</param>
    /// <param name="threads">How many threads may share the work.</param>
    /// <exception cref="ArgumentException">A text is null, or the tokenizer produced an id outside its vocabulary.</exception>
    public static float[][]? TryScore(ClassifierNetwork network, BatchCollator collator, IReadOnlyList<string> texts, IReadOnlyList<double> temperatures, int threads)
    {
        if (network.training || network.Backbone is not BagOfNgrams bag || !IsBuiltIn(network.Head, out var head))
            return null;
        // TorchSharp hands out a new wrapper for a native module's weight on every read: this scope frees them.
        using var wrappers = TorchSharp.torch.NewDisposeScope();
        var layers = new Layers(bag, head);
        if (!layers.Readable) return null;

        int outputs = head.Outputs;
        var scores = new float[temperatures.Count][];
        for (int t = 0; t < scores.Length; t++) scores[t] = new float[texts.Count * outputs];
        int workers = Math.Clamp(texts.Count / TextsPerThread, 1, Math.Max(1, threads));
        if (workers == 1)
        {
            Score(layers, head.Kind, collator, texts, temperatures, scores, 0, texts.Count);
            return scores;
        }
        int chunk = (texts.Count + workers - 1) / workers;
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w =>
            Score(layers, head.Kind, collator, texts, temperatures, scores, w * chunk, Math.Min(texts.Count, (w + 1) * chunk)));
        return scores;
    }

    /// <summary>The heads whose forward pass and scores this class reproduces: the built-in ones reading the bag's vector.</summary>
    private static bool IsBuiltIn(ITaskHead head, [NotNullWhen(true)] out TaskHead? builtIn)
    {
        builtIn = head is SingleLabelHead or MultiLabelHead or RegressionHead ? (TaskHead)head : null;
        return builtIn?.Options.Pooling == PoolingMode.Backbone;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Score(Layers layers, TaskKind kind, BatchCollator collator, IReadOnlyList<string> texts, IReadOnlyList<double> temperatures, float[][] scores, int from, int to)
    {
        var pooled = new float[layers.Dimension];
        var hidden = new float[layers.Dense?.Outputs ?? 0];
        var logits = new float[layers.Classifier.Outputs];
        for (int i = from; i < to; i++)
        {
            int[] ids = collator.Encode(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)));
            collator.CheckIds(i, ids);
            layers.Mean(ids, i, pooled);
            ReadOnlySpan<float> features = pooled;
            if (layers.Dense is { } dense)
            {
                dense.Apply(features, hidden);
                for (int h = 0; h < hidden.Length; h++) hidden[h] = MathF.Tanh(hidden[h]);
                features = hidden;
            }
            layers.Classifier.Apply(features, logits);
            for (int t = 0; t < temperatures.Count; t++)
            {
                var row = scores[t].AsSpan(i * logits.Length, logits.Length);
                float temperature = kind == TaskKind.Regression ? 1f : (float)temperatures[t];
                for (int o = 0; o < row.Length; o++) row[o] = logits[o] / temperature;
                if (kind == TaskKind.SingleLabel) Softmax(row);
                else if (kind == TaskKind.MultiLabel)
                    for (int o = 0; o < row.Length; o++) row[o] = 1f / (1f + MathF.Exp(-row[o]));
            }
        }
    }

    /// <summary>Softmax shifted by the maximum, as libtorch computes it, so large logits do not overflow.</summary>
    private static void Softmax(Span<float> row)
    {
        float max = float.NegativeInfinity, sum = 0;
        foreach (float value in row) max = MathF.Max(max, value);
        for (int o = 0; o < row.Length; o++) sum += row[o] = MathF.Exp(row[o] - max);
        for (int o = 0; o < row.Length; o++) row[o] /= sum;
    }

    /// <summary><c>sum += row</c>.</summary>
    /// <remarks>Hand-vectorized and fully optimized from the first call: a command-line run scores a file once, so code that waits for tiered compilation runs its first thousands of texts several times slower.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add(Span<float> sum, float* row)
    {
        int i = 0;
        for (; i <= sum.Length - Vector<float>.Count; i += Vector<float>.Count)
            (Vector.LoadUnsafe(ref sum[i]) + Vector.Load(row + i)).StoreUnsafe(ref sum[i]);
        for (; i < sum.Length; i++) sum[i] += row[i];
    }

    /// <summary>The dot product of <paramref name="a"/> and <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* a, ReadOnlySpan<float> b)
    {
        var sums = Vector<float>.Zero;
        int i = 0;
        for (; i <= b.Length - Vector<float>.Count; i += Vector<float>.Count)
            sums += Vector.Load(a + i) * Vector.LoadUnsafe(ref Unsafe.AsRef(in b[i]));
        float dot = Vector.Sum(sums);
        for (; i < b.Length; i++) dot += a[i] * b[i];
        return dot;
    }

    /// <summary>The weights of one call, read in place.</summary>
    private readonly struct Layers
    {
        private readonly float* table;
        private readonly long rows;

        public Layers(BagOfNgrams bag, TaskHead head)
        {
            var weight = bag.Table;
            table = TensorMemory.Floats(weight);
            rows = weight.shape[0];
            Dimension = (int)weight.shape[1];
            Dense = head.Dense is { } dense ? new Affine(dense) : null;
            Classifier = new Affine(head.Classifier);
            Readable = table is not null && Classifier.Readable && Dense?.Readable != false;
        }

        public int Dimension { get; }

        public Affine? Dense { get; }

        public Affine Classifier { get; }

        public bool Readable { get; }

        /// <summary>The mean of the rows of <paramref name="ids"/>, padding (id 0) left out as <c>EmbeddingBag</c> leaves it out; zeros when nothing is left.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Mean(int[] ids, int text, Span<float> mean)
        {
            mean.Clear();
            int count = 0;
            for (int c = 0; c < ids.Length; c++)
            {
                int id = ids[c];
                if (id == 0) continue;
                // the collator checked the tokenizer's vocabulary, which the classifier checked against the table; this read must not stray even so
                if ((uint)id >= (ulong)rows)
                    throw new ArgumentException($"Text {text} holds id {id} at position {c}, outside the embedding table [0, {rows - 1}].", "texts");
                Add(mean, table + (long)id * mean.Length);
                count++;
            }
            if (count > 1)
                for (int d = 0; d < mean.Length; d++) mean[d] /= count;
        }
    }

    /// <summary>A linear layer's weight <c>[outputs, inputs]</c> and optional bias, read in place.</summary>
    private sealed class Affine
    {
        private readonly float* weight;
        private readonly float* bias;
        private readonly int inputs;

        public Affine(Linear linear)
        {
            weight = TensorMemory.Floats(linear.weight!);
            bias = linear.bias is { } b ? TensorMemory.Floats(b) : null;
            Outputs = (int)linear.weight!.shape[0];
            inputs = (int)linear.weight.shape[1];
            Readable = weight is not null && (linear.bias is null || bias is not null);
        }

        public int Outputs { get; }

        public bool Readable { get; }

        /// <summary><c>output = weight · input + bias</c>.</summary>
        public void Apply(ReadOnlySpan<float> input, Span<float> output)
        {
            for (int o = 0; o < Outputs; o++)
                output[o] = Dot(weight + (long)o * inputs, input) + (bias is null ? 0f : bias[o]);
        }
    }
}
