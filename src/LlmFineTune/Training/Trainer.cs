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

    /// <summary>Fine-tunes a classifier in place.</summary>
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
        return Train(new ClassifierTrainingTask(model, train, options.BatchSize), progress, cancellationToken);
    }

    /// <summary>Runs the training loop over any task.</summary>
    /// <param name="task">What to optimise.</param>
    /// <param name="progress">Receives a report after each step.</param>
    /// <param name="cancellationToken">Stops training between steps.</param>
    /// <returns>The run's history.</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public TrainingResult Train(ITrainingTask task, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        manual_seed(options.Seed);
        var module = task.Module;
        var parameters = module.named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();
        using var optimizer = optimizerFactory.Create(parameters, options.LearningRate);

        int totalSteps = (int)(task.BatchesPerEpoch ?? throw new ArgumentException("Streaming tasks need a step limit.", nameof(task))) * options.Epochs;
        var history = new List<TrainingProgress>(totalSteps);
        module.train();
        try
        {
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                foreach (var batch in task.Batches(epoch, options.Seed, skip: 0))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    double loss = Step(task, optimizer, batch);
                    var report = new TrainingProgress(history.Count + 1, totalSteps, epoch, loss, options.LearningRate);
                    history.Add(report);
                    progress?.Report(report);
                }
            }
        }
        finally
        {
            module.eval();
        }
        return new TrainingResult(history.Count, history);
    }

    private static double Step(ITrainingTask task, optim.Optimizer optimizer, Batching.Batch batch)
    {
        using var scope = NewDisposeScope();
        using var owned = batch;
        optimizer.zero_grad();
        var loss = task.Loss(owned);
        loss.backward();
        optimizer.step();
        return loss.item<float>();
    }
}
