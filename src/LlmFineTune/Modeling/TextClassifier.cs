using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Tokenization;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling;

/// <summary>
/// A text classifier: tokenizer + backbone + task head + label map. Prediction is safe from many
/// threads at once; training goes through <see cref="Training.Trainer"/>.
/// </summary>
public sealed class TextClassifier : IDisposable
{
    private readonly ClassifierNetwork network;
    private bool disposed;

    /// <summary>Assembles a classifier from its parts; it takes ownership of the backbone and head.</summary>
    /// <param name="tokenizer">The tokenizer whose ids the backbone embeds.</param>
    /// <param name="backbone">The backbone (a TorchSharp module).</param>
    /// <param name="head">The task head (a TorchSharp module).</param>
    /// <param name="labels">The classes, in the head's output order.</param>
    /// <param name="maxLength">Most tokens per text. Default 256.</param>
    /// <exception cref="ArgumentException">The parts do not fit together.</exception>
    public TextClassifier(ITokenizer tokenizer, IBackbone backbone, ITaskHead head, LabelMap labels, int maxLength = 256)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(labels);
        if (head.Kind != TaskKind.Regression && labels.Count < 2 && head.Kind == TaskKind.SingleLabel)
            throw new ArgumentException($"A single-label classifier needs at least 2 classes (got {labels.Count}).", nameof(labels));
        Runtime.TorchRuntime.EnsureAvailable();
        Tokenizer = tokenizer;
        Labels = labels;
        Collator = new BatchBuilder(tokenizer, maxLength);
        MaxLength = maxLength;
        network = new ClassifierNetwork(backbone, head);
        network.eval();
    }

    /// <summary>The tokenizer.</summary>
    public ITokenizer Tokenizer { get; }

    /// <summary>The classes, in id order.</summary>
    public LabelMap Labels { get; }

    /// <summary>The backbone.</summary>
    public IBackbone Backbone => network.Backbone;

    /// <summary>The task head.</summary>
    public ITaskHead Head => network.Head;

    /// <summary>Most tokens per text.</summary>
    public int MaxLength { get; }

    internal BatchBuilder Collator { get; }

    internal ClassifierNetwork Network => network;

    /// <summary>Classifies one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The most likely class and every class's score.</returns>
    public Prediction Predict(string text) => PredictBatch([text])[0];

    /// <summary>Classifies several texts in one forward pass.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One prediction per text, in order.</returns>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (texts.Count == 0) return [];
        float[] scores = ScoreBatch(texts);
        int classes = scores.Length / texts.Count;
        var predictions = new Prediction[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            var row = new ArraySegment<float>(scores, i * classes, classes);
            int best = 0;
            var byName = new Dictionary<string, float>(classes, StringComparer.Ordinal);
            for (int c = 0; c < classes; c++)
            {
                if (row[c] > row[best]) best = c;
                byName[Labels.Count > c ? Labels[c] : $"output{c}"] = row[c];
            }
            predictions[i] = new Prediction(Labels.Count > best ? Labels[best] : "value", row[best], byName);
        }
        return predictions;
    }

    /// <summary>Scores texts: a flat <c>[texts, outputs]</c> array of probabilities (or values).</summary>
    internal float[] ScoreBatch(IReadOnlyList<string> texts)
    {
        var sequences = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
            sequences[i] = Collator.Encode(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (ids, mask) = Collator.Pad(sequences);
        var logits = network.call(ids, mask);
        return Head.Scores(logits).contiguous().data<float>().ToArray();
    }

    /// <summary>Saves the classifier as a model directory: <c>config.json</c> (HF keys, labels), <c>model.safetensors</c> (HF names for BERT) and the tokenizer's files.</summary>
    /// <param name="directory">Created if missing; files of the same names are replaced atomically.</param>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="NotSupportedException">The backbone has no saved form.</exception>
    public void Save(string directory)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        Serialization.ModelDirectory.SaveClassifier(this, directory);
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>, or a Hugging Face BERT checkpoint (with a fresh head when it has no classifier weights).</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="tokenizerLoader">Rebuilds the tokenizer from the directory when it is not one this library loads by itself (hashing); for example a WordPiece loader reading <c>vocab.txt</c>.</param>
    /// <returns>The classifier in eval mode; the caller disposes it.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed; the message names the file and field.</exception>
    public static TextClassifier Load(string directory, Func<string, ITokenizer>? tokenizerLoader = null) =>
        Serialization.ModelDirectory.LoadClassifier(directory, tokenizerLoader);

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        network.Dispose();
    }
}
