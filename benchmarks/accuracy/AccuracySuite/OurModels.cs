using LlmFineTune.Data;
using LlmFineTune.Evaluation;
using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Heads;
using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using LlmFineTune.Training.Schedules;
using static TorchSharp.torch;

namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>The library's models, trained on a label budget and scored by the Evaluator (bootstrap intervals, per-example predictions kept for paired comparisons).</summary>
internal static class OurModels
{
    /// <summary>Bag examples seen at least this often, so small budgets get enough steps.</summary>
    private const int BagMinimumExamples = 10_000;

    /// <summary>Trains the bag from scratch, or with its table starting from the word vectors in <paramref name="vectors"/> (same hashing and width).</summary>
    public static EvaluationReport Bag(SuiteOptions options, LabeledSet set, IReadOnlyList<TextExample> train, string? vectors = null)
    {
        var bag = options.Bag;
        manual_seed(options.Seed);
        var tokenizer = new HashingTokenizer(new HashingTokenizerOptions { Buckets = bag.Buckets, WordNgrams = 2, MinCharNgram = bag.MinCharNgram, MaxCharNgram = bag.MaxCharNgram });
        var backbone = new BagOfNgrams(tokenizer.VocabularySize, bag.Dimension);
        if (vectors is not null)
        {
            using var pretrained = ClassifierFactory.FromPretrained(vectors, TextDataset.FromExamples(train, labelMap: set.Labels));
            using var noGrad = no_grad();
            backbone.parameters().Single().copy_(((BagOfNgrams)pretrained.Backbone).parameters().Single());
        }
        using var model = new TextClassifier(tokenizer, backbone,
            new SingleLabelHead(bag.Dimension, set.Labels.Count, new HeadOptions { Dropout = 0 }), set.Labels, maxLength: 4096);
        int epochs = TrainingLength.EpochsToSee(bag.Epochs, BagMinimumExamples, train.Count);
        ITrainingCallback[] callbacks = vectors is not null && bag.FreezeVectors ? [new LlmFineTune.Training.Callbacks.FreezeBackbone()] : [];
        new Trainer(new TrainerOptions { Epochs = epochs, BatchSize = bag.Batch, LearningRate = bag.LearningRate, Seed = options.Seed }, new AdamWFactory(weightDecay: 0), new LinearSchedule(), callbacks)
            .Train(model, TextDataset.FromExamples(train, labelMap: set.Labels));
        return Evaluate(options, model, set);
    }

    /// <summary>Fine-tunes bert-mini: from the cached MLM checkpoint, or freshly initialised with the same config and tokenizer.</summary>
    public static EvaluationReport Bert(SuiteOptions options, LabeledSet set, IReadOnlyList<TextExample> train, string pretrainedDirectory, bool pretrained)
    {
        var tokenizer = WordPieceTokenizer.Load(pretrainedDirectory);
        manual_seed(options.Seed);
        var encoder = pretrained ? ModelDirectory.LoadEncoder(pretrainedDirectory) : new BertBackbone(ModelDirectory.ReadEncoderConfig(pretrainedDirectory));
        using var model = new TextClassifier(tokenizer, encoder, new SingleLabelHead(encoder.HiddenSize, set.Labels.Count, new HeadOptions { Pooling = PoolingMode.Mean }), set.Labels, options.MaxLength);
        int epochs = TrainingLength.EpochsToSee(1, options.FineTuneExamples, train.Count);
        int steps = options.FineTuneMaxSteps ?? epochs * ((train.Count + options.FineTuneBatch - 1) / options.FineTuneBatch);
        new Trainer(new TrainerOptions { Epochs = epochs, MaxSteps = options.FineTuneMaxSteps, BatchSize = options.FineTuneBatch, LearningRate = options.FineTuneLearningRate, MaxGradientNorm = 1.0, Seed = options.Seed },
                schedule: new LinearSchedule(warmupSteps: steps / 10))
            .Train(model, TextDataset.FromExamples(train, labelMap: set.Labels));
        return Evaluate(options, model, set);
    }

    private static EvaluationReport Evaluate(SuiteOptions options, TextClassifier model, LabeledSet set) =>
        new Evaluator(new EvaluationOptions { Seed = options.Seed }).Evaluate(model, TextDataset.FromExamples(set.Test, labelMap: set.Labels));
}
