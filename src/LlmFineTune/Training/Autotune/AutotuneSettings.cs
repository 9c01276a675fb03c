using System.Globalization;
using System.Text.Json.Nodes;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Heads;

namespace LlmFineTune.Training.Autotune;

/// <summary>One point of the autotune search: the settings a trial trains with.</summary>
/// <param name="LearningRate">Peak learning rate.</param>
/// <param name="Epochs">Epochs of the schedule (the best epoch on the validation split is kept).</param>
/// <param name="BatchSize">Examples per step.</param>
/// <param name="WeightDecay">AdamW's decoupled weight decay.</param>
/// <param name="Dropout">The head's dropout.</param>
/// <param name="LayerLearningRateDecay">Discriminative learning-rate factor per lower layer group (transformers; 1 for bag).</param>
/// <param name="Pooling">How the head pools a transformer's token states (null for bag).</param>
/// <param name="BagDimension">Bag embedding width (null for transformers).</param>
/// <param name="BagWordNgrams">Longest hashed word n-gram (null for transformers).</param>
/// <param name="BagBuckets">Hash buckets (null for transformers).</param>
public sealed record AutotuneSettings(double LearningRate, int Epochs, int BatchSize, double WeightDecay, double Dropout, double LayerLearningRateDecay,
    PoolingMode? Pooling, int? BagDimension, int? BagWordNgrams, int? BagBuckets)
{
    /// <summary>Copies the model settings into factory options (backbone, seed and lengths are left as they are).</summary>
    /// <param name="options">The options to start from; not changed.</param>
    /// <returns>New options.</returns>
    public ClassifierFactoryOptions ApplyTo(ClassifierFactoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ClassifierFactoryOptions
        {
            Backbone = options.Backbone,
            Head = options.Head,
            MaxLength = options.MaxLength,
            MaxPositions = options.MaxPositions,
            VocabularySize = options.VocabularySize,
            Seed = options.Seed,
            BagDimension = BagDimension ?? options.BagDimension,
            BagWordNgrams = BagWordNgrams ?? options.BagWordNgrams,
            BagBuckets = BagBuckets ?? options.BagBuckets,
            HeadOptions = new HeadOptions { Dropout = Dropout, Pooling = Pooling ?? PoolingMode.Backbone },
        };
    }

    /// <summary>Copies the training settings into trainer options.</summary>
    /// <param name="options">The options to start from; not changed.</param>
    /// <returns>New options.</returns>
    public TrainerOptions ApplyTo(TrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Copy();
        copy.LearningRate = LearningRate;
        copy.Epochs = Epochs;
        copy.BatchSize = BatchSize;
        copy.LayerLearningRateDecay = LayerLearningRateDecay;
        copy.MaxSteps = null;
        return copy;
    }

    /// <summary>The settings as a JSON object (for <c>config.json</c>'s <c>llmfinetune.autotune</c>).</summary>
    /// <returns>A new object; keys in snake case, absent settings left out.</returns>
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["learning_rate"] = LearningRate,
            ["epochs"] = Epochs,
            ["batch_size"] = BatchSize,
            ["weight_decay"] = WeightDecay,
            ["dropout"] = Dropout,
        };
        if (Pooling is { } pooling)
        {
            json["pooling"] = pooling.ToString();
            json["layer_learning_rate_decay"] = LayerLearningRateDecay;
        }
        if (BagDimension is { } dimension) json["bag_dimension"] = dimension;
        if (BagWordNgrams is { } ngrams) json["bag_word_ngrams"] = ngrams;
        if (BagBuckets is { } buckets) json["bag_buckets"] = buckets;
        return json;
    }

    /// <summary>One line for logs and the CLI.</summary>
    /// <returns>The settings, <c>name value</c> pairs.</returns>
    public override string ToString() => string.Join(", ", ToJson().Select(p => p.Key + " " + (p.Value is JsonValue v && v.TryGetValue(out double d) ? d.ToString("G4", CultureInfo.InvariantCulture) : p.Value!.ToString())));
}
