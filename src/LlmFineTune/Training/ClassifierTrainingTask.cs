using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Training.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>Fine-tuning a <see cref="TextClassifier"/> on a labeled dataset; its checkpoints are classifier model directories.</summary>
internal sealed class ClassifierTrainingTask : IModelDirectoryTask
{
    private readonly TextClassifier model;
    private readonly DatasetBatcher batcher;

    public ClassifierTrainingTask(TextClassifier model, ITextDataset data, TrainerOptions options)
    {
        RequireMatch(model, data, nameof(data), "training");
        TrainingSetChecks.RequireTwoClasses(data, data.Kind, "train");
        this.model = model;
        batcher = new DatasetBatcher(data, model.Collator, model.Labels, options.BatchSize, options.GroupByLength, options.PrefetchBatches);
    }

    public nn.Module Module => model.Network;

    public long? BatchesPerEpoch => batcher.BatchesPerEpoch;

    // Seeded order (length-bucketed unless turned off), prepared ahead on a background thread.
    public IEnumerable<Batch> Batches(int epoch, int seed, long skip) => batcher.Batches(epoch, seed, skip);

    public Tensor Loss(Batch batch) =>
        model.Head.Loss(model.Network.call(batch.InputIds, batch.AttentionMask), batch);

    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() =>
        [.. model.Backbone.LayerGroups(), [.. ((nn.Module)model.Head).parameters()]];

    public void SaveModel(string directory) => model.Save(directory);

    public void LoadModel(string directory)
    {
        using var saved = TextClassifier.Load(directory);
        CheckpointFiles.CopyWeights(model.Network, saved.Network, directory);
    }

    internal static void RequireMatch(TextClassifier model, ITextDataset data, string parameter, string role)
    {
        if (data.Count == 0)
            throw new ArgumentException($"The {role} set is empty.", parameter);
        if (data.Kind != model.Head.Kind)
            throw new ArgumentException($"The {role} set is {data.Kind} but the model's head predicts {model.Head.Kind}.", parameter);
    }
}
