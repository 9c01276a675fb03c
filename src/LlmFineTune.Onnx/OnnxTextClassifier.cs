using System.Text.Json.Nodes;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Serving;
using LlmFineTune.Tokenization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace LlmFineTune.Onnx;

/// <summary>
/// A classifier exported with <c>TextClassifier.ExportOnnx</c> (or <c>llmft export --format onnx</c>), run by
/// ONNX Runtime: the same tokenizer, the same scores and the same <see cref="Prediction"/> results as
/// the TorchSharp <c>TextClassifier</c>, with no libtorch. Safe to call from many threads at once.
/// </summary>
public sealed class OnnxTextClassifier : ITextClassifier, IDisposable
{
    /// <summary>The file with the labels, the head and the tokenizer's settings.</summary>
    internal const string ConfigFileName = "config.json";

    /// <summary>The graph, unless <c>config.json</c> names another file.</summary>
    internal const string ModelFileName = "model.onnx";

    private const string Section = "onnx";
    private readonly InferenceSession session;
    private readonly float[] thresholds;
    private readonly float temperature;
    // a hot reload retires (disposes) a model that callers may still hold; they get ObjectDisposedException, not a native fault
    private volatile bool disposed;

    private OnnxTextClassifier(InferenceSession session, ITokenizer tokenizer, LabelMap labels, TaskKind task, int maxLength, float[] thresholds, float temperature)
    {
        this.session = session;
        Tokenizer = tokenizer;
        Labels = labels;
        Task = task;
        MaxLength = maxLength;
        this.thresholds = thresholds;
        this.temperature = temperature;
    }

    /// <summary>The tokenizer (the one saved with the model).</summary>
    public ITokenizer Tokenizer { get; }

    /// <inheritdoc />
    public LabelMap Labels { get; }

    /// <inheritdoc />
    public TaskKind Task { get; }

    /// <summary>Most tokens per text; longer texts are truncated as the TorchSharp classifier truncates them.</summary>
    public int MaxLength { get; }

    /// <summary>Loads an exported model directory (<c>model.onnx</c>, <c>config.json</c>, the tokenizer's files).</summary>
    /// <param name="directory">The directory <c>ExportOnnx</c> wrote.</param>
    /// <param name="options">Threading; defaults when null.</param>
    /// <returns>The classifier; the caller disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="FileNotFoundException">A file is missing.</exception>
    /// <exception cref="InvalidDataException"><c>config.json</c> lacks its <c>onnx</c> section or a field is malformed (the message names the field), or ONNX Runtime cannot load <c>model.onnx</c>.</exception>
    public static OnnxTextClassifier Load(string directory, OnnxTextClassifierOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new OnnxTextClassifierOptions();
        Check(options);
        string path = Path.Combine(directory, ConfigFileName);
        var config = JsonFiles.ReadObject(path);
        var section = config[Section] as JsonObject
            ?? throw new InvalidDataException($"{path}: there is no '{Section}' section, so this is not an exported ONNX model. Export it with TextClassifier.ExportOnnx or `llmft export --format onnx`.");
        string where = path + " " + Section;
        var labels = new LabelMap((section["labels"] as JsonArray ?? throw new InvalidDataException($"{where}: 'labels' must be an array of names."))
            .Select((n, i) => n is JsonValue v && v.TryGetValue(out string? name) ? name : throw new InvalidDataException($"{where}: labels[{i}] must be a string.")));
        var task = JsonFiles.GetString(section, "problem_type", where) switch
        {
            "single_label_classification" => TaskKind.SingleLabel,
            "multi_label_classification" => TaskKind.MultiLabel,
            "regression" => TaskKind.Regression,
            var other => throw new InvalidDataException($"{where}: problem_type '{other}' is unknown. Known: single_label_classification, multi_label_classification, regression."),
        };
        float[] thresholds = task == TaskKind.MultiLabel
            ? (section["thresholds"] as JsonArray ?? throw new InvalidDataException($"{where}: a multi-label model needs 'thresholds'.")).Select(t => t?.GetValue<float>() ?? 0.5f).ToArray()
            : [];
        if (thresholds.Length != (task == TaskKind.MultiLabel ? labels.Count : 0))
            throw new InvalidDataException($"{where}: needs one threshold per label ({labels.Count}), has {thresholds.Length}.");
        int maxLength = JsonFiles.GetInt(section, "max_length", where);
        if (maxLength < 1)
            throw new InvalidDataException($"{where}: max_length must be at least 1 (was {maxLength}).");
        // a calibration temperature divides the logits before softmax/sigmoid, as the TorchSharp classifier does
        float temperature = config["llmfinetune"] is JsonObject ours && ours["temperature"] is not null
            ? (float)JsonFiles.GetDouble(ours, "temperature", path + " llmfinetune")
            : 1f;
        if (!(temperature > 0) || float.IsInfinity(temperature))
            throw new InvalidDataException($"{path}: llmfinetune.temperature must be a positive number (was {temperature}).");
        var tokenizer = Tokenizers.Load(directory);

        string modelPath = Path.Combine(directory, section["file"] is null ? ModelFileName : JsonFiles.GetString(section, "file", where));
        if (!File.Exists(modelPath))
            throw new FileNotFoundException($"{modelPath}: the ONNX model is missing. Export the model again.", modelPath);
        using var sessionOptions = new SessionOptions { IntraOpNumThreads = options.IntraOpThreads, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{modelPath}: ONNX Runtime cannot load the model: {e.Message} Export the model again.", e);
        }
        return new OnnxTextClassifier(session, tokenizer, labels, task, maxLength, thresholds, temperature);
    }

    /// <summary>Checks every option; the message names the one out of range.</summary>
    internal static void Check(OnnxTextClassifierOptions options)
    {
        if (options.IntraOpThreads < 0)
            throw new ArgumentOutOfRangeException(nameof(options.IntraOpThreads), options.IntraOpThreads, "IntraOpThreads must be 0 (ONNX Runtime's default) or more.");
        if (!ModelDirectoryReloader.IsValidInterval(options.ReloadInterval))
            throw new ArgumentOutOfRangeException(nameof(options.ReloadInterval), options.ReloadInterval, $"ReloadInterval must be {ModelDirectoryReloader.IntervalRange}.");
        ArgumentNullException.ThrowIfNull(options.Batching, nameof(options.Batching));
        options.Batching.Validate();
    }

    /// <inheritdoc />
    public Prediction Predict(string text) => PredictBatch([text])[0];

    /// <inheritdoc />
    public IReadOnlyList<Prediction> PredictBatch(IReadOnlyList<string> texts) =>
        ScoreRows(texts, (row, byName) => PredictionRows.Best(row, byName, Labels));

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model is not multi-label.</exception>
    public MultiLabelPrediction PredictLabels(string text) => PredictLabelsBatch([text])[0];

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model is not multi-label.</exception>
    public IReadOnlyList<MultiLabelPrediction> PredictLabelsBatch(IReadOnlyList<string> texts)
    {
        PredictionRows.RequireTask(Task, TaskKind.MultiLabel, nameof(PredictBatch));
        return ScoreRows(texts, (row, byName) => PredictionRows.Present(row, byName, Labels, thresholds));
    }

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model is not a regression model.</exception>
    public float PredictValue(string text) => PredictValues([text])[0];

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The model is not a regression model.</exception>
    public IReadOnlyList<float> PredictValues(IReadOnlyList<string> texts)
    {
        PredictionRows.RequireTask(Task, TaskKind.Regression, nameof(PredictBatch));
        return ScoreRows(texts, (row, _) => row[0]);
    }

    private T[] ScoreRows<T>(IReadOnlyList<string> texts, Func<ArraySegment<float>, IReadOnlyDictionary<string, float>, T> answer)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (texts.Count == 0) return [];
        return PredictionRows.Answer(ScoreBatch(texts), texts.Count, Labels, answer);
    }

    /// <summary>Scores texts: a flat <c>[texts, outputs]</c> array of probabilities (or values).</summary>
    /// <remarks>ONNX Runtime's <c>Run</c> may be called concurrently on one session; everything else here is per call.</remarks>
    internal float[] ScoreBatch(IReadOnlyList<string> texts)
    {
        float[] scores = Logits(texts);
        int outputs = scores.Length / texts.Count;
        for (int row = 0; row < texts.Count; row++)
            Activate(scores.AsSpan(row * outputs, outputs));
        return scores;
    }

    /// <summary>Raw logits, <c>[texts, outputs]</c> flat, as the graph returns them (for parity checks).</summary>
    internal float[] Logits(IReadOnlyList<string> texts)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var (ids, mask) = Encode(texts);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input_ids", ids), NamedOnnxValue.CreateFromTensor("attention_mask", mask)]);
        return results.First(r => r.Name == "logits").AsTensor<float>().ToArray();
    }

    /// <summary>Tokenizes and right-pads as the TorchSharp classifier's collator does.</summary>
    private (DenseTensor<long> Ids, DenseTensor<long> Mask) Encode(IReadOnlyList<string> texts)
    {
        var sequences = new int[texts.Count][];
        for (int i = 0; i < texts.Count; i++)
            sequences[i] = Tokenizer.Encode(texts[i] ?? throw new ArgumentException($"Text {i} is null.", nameof(texts)), MaxLength);
        int width = Math.Max(1, sequences.Max(s => s.Length));
        var ids = new DenseTensor<long>([texts.Count, width]);
        var mask = new DenseTensor<long>([texts.Count, width]);
        ids.Fill(Tokenizer.PadId);
        for (int r = 0; r < sequences.Length; r++)
            for (int c = 0; c < sequences[r].Length; c++)
            {
                ids[r, c] = sequences[r][c];
                mask[r, c] = 1;
            }
        return (ids, mask);
    }

    /// <summary>Logits to scores in place: softmax, sigmoid or identity, after the calibration temperature.</summary>
    private void Activate(Span<float> row)
    {
        if (Task == TaskKind.Regression) return;
        for (int c = 0; c < row.Length; c++)
            row[c] /= temperature;
        if (Task == TaskKind.MultiLabel)
        {
            for (int c = 0; c < row.Length; c++)
                row[c] = 1f / (1f + MathF.Exp(-row[c]));
            return;
        }
        float max = float.NegativeInfinity;
        foreach (float x in row) max = Math.Max(max, x);
        float sum = 0;
        for (int c = 0; c < row.Length; c++)
            sum += row[c] = MathF.Exp(row[c] - max);
        for (int c = 0; c < row.Length; c++)
            row[c] /= sum;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        disposed = true;
        session.Dispose();
    }
}
