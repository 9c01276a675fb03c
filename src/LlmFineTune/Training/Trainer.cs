using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Training.Optimizers;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>Fine-tunes a <see cref="TextClassifier"/> on a labeled dataset.</summary>
public sealed class Trainer
{
    private readonly TrainerOptions options;
    private readonly IOptimizerFactory optimizerFactory;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Training settings; validated here.</param>
    /// <param name="optimizer">The optimizer; AdamW when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public Trainer(TrainerOptions? options = null, IOptimizerFactory? optimizer = null)
    {
        this.options = options ?? new TrainerOptions();
        this.options.Validate();
        optimizerFactory = optimizer ?? new AdamWFactory();
    }

    /// <summary>Trains the classifier in place.</summary>
    /// <param name="model">The classifier to train; left in eval mode.</param>
    /// <param name="train">The training set; its labels must be the model's.</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history.</returns>
    /// <exception cref="ArgumentException">The dataset is empty or its task does not match the model's head.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingResult Train(TextClassifier model, ITextDataset train, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        if (train.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(train));
        if (train.Kind != model.Head.Kind)
            throw new ArgumentException($"The training set is {train.Kind} but the model's head predicts {model.Head.Kind}.", nameof(train));

        manual_seed(options.Seed);
        var random = new Random(options.Seed);
        var network = model.Network;
        var parameters = network.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
        using var optimizer = optimizerFactory.Create(parameters, options.LearningRate);

        int stepsPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        int totalSteps = stepsPerEpoch * options.Epochs;
        var history = new List<TrainingProgress>(totalSteps);
        network.train();
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                int[] order = Enumerable.Range(0, train.Count).ToArray();
                random.Shuffle(order);
                for (int start = 0; start < order.Length; start += options.BatchSize)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var examples = order.Skip(start).Take(options.BatchSize).Select(i => train[i]).ToList();
                    double loss = Step(model, optimizer, examples, train);
                    var report = new TrainingProgress(history.Count + 1, totalSteps, epoch, loss, options.LearningRate);
                    history.Add(report);
                    progress?.Report(report);
                }
            }
        }
        finally
        {
            network.eval();
        }
        return new TrainingResult(history.Count, history);
    }

    private static double Step(TextClassifier model, optim.Optimizer optimizer, List<TextExample> examples, ITextDataset train)
    {
        using var scope = NewDisposeScope();
        using var batch = model.Collator.Build(examples, train.Kind, model.Labels);
        optimizer.zero_grad();
        var logits = model.Network.call(batch.InputIds, batch.AttentionMask);
        var loss = model.Head.Loss(logits, batch);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
