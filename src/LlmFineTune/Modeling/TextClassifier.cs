using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Tokenization;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling;

/// <summary>
/// A text classifier: tokenizer + backbone + task head + label map. Prediction is safe from many
/// threads at once; training goes through <see cref="Training.Trainer"/>.
/// </summary>
public sealed class TextClassifier : ITextClassifier, IDisposable
{
    private readonly ClassifierNetwork network;
    /// <summary>Guards <see cref="disposed"/> and <see cref="inFlight"/>: Dispose waits for running predictions before it frees native memory.</summary>
    private readonly object gate = new();
    private volatile bool disposed;
    private int inFlight;
    private double temperature = 1.0;

    /// <summary>Assembles a classifier from its parts; it takes ownership of the backbone and head.</summary>
    /// <param name="tokenizer">The tokenizer whose ids the backbone embeds.</param>
    /// <param name="backbone">The backbone (a TorchSharp module).</param>
    /// <param name="head">The task head (a TorchSharp module).</param>
    /// <param name="labels">The classes, in the head's output order.</param>
    /// <param name="maxLength">Most tokens per text. Default 256.</param>
    /// <exception cref="ArgumentException">The parts do not fit together: fewer than 2 classes for a single-label head, a tokenizer with more ids than the backbone embeds, or <paramref name="maxLength"/> beyond its position embeddings.</exception>
    public TextClassifier(ITokenizer tokenizer, IBackbone backbone, ITaskHead head, LabelMap labels, int maxLength = 256)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(labels);
        if (head.Kind != TaskKind.Regression && labels.Count < 2 && head.Kind == TaskKind.SingleLabel)
            throw new ArgumentException($"A single-label classifier needs at least 2 classes (got {labels.Count}).", nameof(labels));
        CheckVocabulary(tokenizer, backbone);
        Runtime.TorchRuntime.EnsureAvailable();
        Tokenizer = tokenizer;
        Labels = labels;
        Collator = new BatchCollator(tokenizer, maxLength);
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

    /// <inheritdoc />
    public TaskKind Task => Head.Kind;

    /// <summary>Most tokens per text.</summary>
    public int MaxLength { get; }

    /// <summary>Divides the logits before the softmax (single-label) or sigmoid (multi-label) in every prediction; regression ignores it.</summary>
    /// <value>A positive finite number; above 1 softens the probabilities, below 1 sharpens them, and the top class never changes. Fitted by <see cref="Evaluation.TemperatureScaling"/> (the <see cref="Training.Trainer"/> does it on the validation split) and saved with the model. Default 1.</value>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive finite number.</exception>
    public double Temperature
    {
        get => temperature;
        set
        {
            if (!(value > 0) || double.IsInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "Temperature must be a positive finite number (1 leaves the probabilities as the network gives them).");
            temperature = value;
        }
    }

    internal BatchCollator Collator { get; }

    internal ClassifierNetwork Network => network;

    /// <summary>The optimizer that trained the model (<c>{"name": ..., "options": ...}</c>), saved in <c>config.json</c> for resuming and reproducing; set by training, null when unknown.</summary>
    /// <remarks>An opaque record here: optimizers belong to training, a floor above this one.</remarks>
    internal System.Text.Json.Nodes.JsonObject? OptimizerRecord { get; set; }

    /// <summary>
    /// Rejects a tokenizer whose ids the backbone cannot embed: libtorch would otherwise see
    /// out-of-range indices at the first forward pass, far from the mistake.
    /// </summary>
    private static void CheckVocabulary(ITokenizer tokenizer, IBackbone backbone)
    {
        int rows = backbone.VocabularySize;
        if (tokenizer.VocabularySize > rows)
            throw new ArgumentException($"The tokenizer has {tokenizer.VocabularySize} ids but the backbone's embedding table has {rows} rows. Use the tokenizer the backbone was built for, or size the backbone's vocabulary to the tokenizer's VocabularySize.", nameof(tokenizer));
    }

    /// <summary>Classifies one text.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The most likely class and every class's score.</returns>
    public Prediction Predict(string text) => PredictBatch([text])[0];

    /// <summary>Classifies several texts in one forward pass.</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One prediction per text, in order.</returns>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts) =>
        ScoreRows(texts, (row, byName) => PredictionRows.Best(row, byName, Labels));

    /// <summary>Finds the labels that apply to a text (multi-label heads).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The labels above their head's thresholds, and every label's probability.</returns>
    /// <exception cref="InvalidOperationException">The head is not multi-label.</exception>
    public MultiLabelPrediction PredictLabels(string text) => PredictLabelsBatch([text])[0];

    /// <summary>Finds the labels that apply to each of several texts in one forward pass (multi-label heads).</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One prediction per text, in order.</returns>
    /// <exception cref="InvalidOperationException">The head is not multi-label.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public IReadOnlyList<MultiLabelPrediction> PredictLabelsBatch(IReadOnlyList<string> texts)
    {
        RequireHead(TaskKind.MultiLabel, nameof(PredictBatch));
        using var lease = Lease(); // the thresholds are a tensor of the head
        var thresholds = Enumerable.Range(0, Labels.Count).Select(Head.DecisionThreshold).ToArray();
        return ScoreRows(texts, (row, byName) => PredictionRows.Present(row, byName, Labels, thresholds));
    }

    /// <summary>Predicts the value of a text (regression heads).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The predicted value.</returns>
    /// <exception cref="InvalidOperationException">The head is not a regression head.</exception>
    public float PredictValue(string text) => PredictValues([text])[0];

    /// <summary>Predicts the values of several texts in one forward pass (regression heads).</summary>
    /// <param name="texts">The texts.</param>
    /// <returns>One value per text, in order.</returns>
    /// <exception cref="InvalidOperationException">The head is not a regression head.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    public IReadOnlyList<float> PredictValues(IReadOnlyList<string> texts)
    {
        RequireHead(TaskKind.Regression, nameof(PredictBatch));
        return ScoreRows(texts, (row, _) => row[0]);
    }

    private void RequireHead(TaskKind kind, string instead) => PredictionRows.RequireTask(Head.Kind, kind, instead);

    /// <summary>Scores texts and turns each row of scores into an answer; the one place prediction touches the network.</summary>
    private IReadOnlyList<T> ScoreRows<T>(IReadOnlyList<string> texts, Func<ArraySegment<float>, IReadOnlyDictionary<string, float>, T> answer)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (texts.Count == 0) return [];
        return PredictionRows.Answer(ScoreBatch(texts), texts.Count, Labels, answer);
    }

    /// <summary>Scores texts: a flat <c>[texts, outputs]</c> array of probabilities (or values).</summary>
    internal float[] ScoreBatch(IReadOnlyList<string> texts) => ScoreBatch(texts, [temperature])[0];

    /// <summary>
    /// Scores texts with one forward pass and turns the same logits into probabilities at each of
    /// <paramref name="temperatures"/>: one flat <c>[texts, outputs]</c> array per temperature (the evaluator
    /// compares the model's temperature with 1 without running the network twice).
    /// </summary>
    /// <remarks>
    /// Safe from many threads on one model: each call has its own dispose scope and inference-mode guard
    /// (both per thread), and nothing here changes module state. It never switches the network to
    /// eval mode, because that would race with other callers; the constructor leaves it in eval
    /// mode and training restores it.
    /// </remarks>
    internal float[][] ScoreBatch(IReadOnlyList<string> texts, IReadOnlyList<double> temperatures)
    {
        using var lease = Lease();
        if (BagScorer.TryScore(network, Collator, texts, temperatures, get_num_threads()) is { } scored)
            return scored;
        var sequences = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
            sequences[i] = Collator.Encode(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)));
        using var scope = NewDisposeScope();
        // Inference mode rather than no-grad: libtorch also skips view tracking and version counters.
        using var inference = inference_mode();
        var (ids, mask) = Collator.Pad(sequences);
        var logits = network.call(ids, mask);
        var scores = new float[temperatures.Count][];
        for (int i = 0; i < scores.Length; i++)
        {
            double t = temperatures[i];
            var scaled = t != 1.0 && Head.Kind != TaskKind.Regression ? logits / t : logits;
            scores[i] = Head.Scores(scaled).contiguous().data<float>().ToArray();
        }
        return scores;
    }

    /// <summary>Marks a use of the network until disposed, so that <see cref="Dispose"/> cannot free it underneath.</summary>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    private InFlight Lease()
    {
        lock (gate)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            inFlight++;
        }
        return new InFlight(this);
    }

    private readonly struct InFlight(TextClassifier owner) : IDisposable
    {
        public void Dispose()
        {
            lock (owner.gate)
            {
                if (--owner.inFlight == 0 && owner.disposed)
                    Monitor.PulseAll(owner.gate);
            }
        }
    }

    /// <summary>Saves the classifier as a model directory: <c>config.json</c> (HF keys, labels), <c>model.safetensors</c> (HF names for BERT) and the tokenizer's files.</summary>
    /// <param name="directory">Created if missing; an existing model directory is replaced as a unit (files you added to it are kept), so a concurrent reader sees the old model or the new one.</param>
    /// <param name="parts">The registry that names the backbone, head and tokenizer in <c>config.json</c>; <see cref="ModelParts.Default"/> when null.</param>
    /// <exception cref="IOException">Writing failed (the old directory is then unchanged), or the directory holds something other than a model.</exception>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="NotSupportedException">The backbone or head is not registered in <paramref name="parts"/> (the message names the call that registers it).</exception>
    public void Save(string directory, ModelParts? parts = null)
    {
        using var lease = Lease();
        Serialization.ModelDirectory.SaveClassifier(this, directory, parts ?? ModelParts.Default);
    }

    /// <summary>
    /// Exports the classifier for ONNX Runtime: <c>model.onnx</c> (opset 17; inputs <c>input_ids</c> and
    /// <c>attention_mask</c>, int64 <c>[batch, sequence]</c>, both axes dynamic; output <c>logits</c>
    /// <c>[batch, labels]</c>), <c>config.json</c> (labels, task, thresholds, in its <c>onnx</c> section)
    /// and the tokenizer's files. Load it with <c>OnnxTextClassifier</c> (package LlmFineTune.Onnx).
    /// </summary>
    /// <param name="directory">Created if missing; files of the same names are replaced atomically.</param>
    /// <remarks>The graph takes the ids this classifier's tokenizer produces, right-padded, as <see cref="PredictBatch"/> feeds them; logits are raw (softmax, sigmoid or identity comes after).</remarks>
    /// <exception cref="ObjectDisposedException">The classifier was disposed.</exception>
    /// <exception cref="NotSupportedException">The backbone or head is not one the exporter knows (the bag, BERT and GPT-2 backbones; heads derived from <see cref="Heads.TaskHead"/>).</exception>
    public void ExportOnnx(string directory)
    {
        using var lease = Lease();
        Export.OnnxExporter.Export(this, directory);
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>, or a Hugging Face <c>BertForSequenceClassification</c> or <c>GPT2ForSequenceClassification</c> checkpoint.</summary>
    /// <param name="directory">The model directory.</param>
    /// <param name="tokenizerLoader">Rebuilds the tokenizer from the directory instead of the registered tokenizer <c>config.json</c> names; for example for a tokenizer type that is not registered.</param>
    /// <param name="logger">Receives a warning naming the tensors of the weights file that the model does not use; none when null.</param>
    /// <param name="parts">The registry that rebuilds the backbone, head and tokenizer <c>config.json</c> names; <see cref="ModelParts.Default"/> when null.</param>
    /// <returns>The classifier in eval mode; the caller disposes it.</returns>
    /// <remarks>
    /// Files are treated as untrusted: sizes are checked against the weights file before anything is
    /// allocated, no file name is taken from configuration, and weights holding NaN or infinity are
    /// refused rather than loaded (a model that answers NaN fails silently in production).
    /// </remarks>
    /// <exception cref="InvalidDataException">A part <c>config.json</c> names is not registered (the message names it and the call that registers it), a file is malformed, its sizes do not fit the weights or the tokenizer, a tensor the model needs is missing, a weight is NaN or infinite, or the directory holds a base or language model rather than a classifier (fine-tune one with <see cref="ClassifierFactory.FromPretrained"/>); the message names the file and field.</exception>
    /// <exception cref="FileNotFoundException">A required file (config.json, model.safetensors, the tokenizer's) is missing.</exception>
    public static TextClassifier Load(string directory, Func<string, ITokenizer>? tokenizerLoader = null, ILogger? logger = null, ModelParts? parts = null) =>
        Serialization.ModelDirectory.LoadClassifier(directory, parts ?? ModelParts.Default, tokenizerLoader, logger);

    /// <summary>Frees the network's native memory once the predictions already running have finished; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            if (disposed) return;
            disposed = true;
            while (inFlight > 0)
                Monitor.Wait(gate);
        }
        network.Dispose();
    }
}
