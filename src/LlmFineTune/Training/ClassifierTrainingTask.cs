using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>Fine-tuning a <see cref="TextClassifier"/> on a labeled dataset.</summary>
internal sealed class ClassifierTrainingTask : ITrainingTask
{
    private readonly TextClassifier model;
    private readonly ITextDataset data;
    private readonly int batchSize;

    public ClassifierTrainingTask(TextClassifier model, ITextDataset data, int batchSize)
    {
        RequireMatch(model, data, nameof(data), "training");
        this.model = model;
        this.data = data;
        this.batchSize = batchSize;
    }

    public nn.Module Module => model.Network;

    public long? BatchesPerEpoch => (data.Count + batchSize - 1) / batchSize;

    public IEnumerable<Batch> Batches(int epoch, int seed, long skip)
    {
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        // Not HashCode.Combine: it is salted per process, and a resumed run in a new process must see the same order.
        new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
        return Chunks(model, data, order, batchSize, skip);
    }

    public Tensor Loss(Batch batch) =>
        model.Head.Loss(model.Network.call(batch.InputIds, batch.AttentionMask), batch);

    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() =>
        [.. model.Backbone.LayerGroups(), [.. ((nn.Module)model.Head).parameters()]];

    /// <summary>Collates the examples at <paramref name="order"/> into batches, starting after <paramref name="skip"/> batches.</summary>
    internal static IEnumerable<Batch> Chunks(TextClassifier model, ITextDataset data, int[] order, int batchSize, long skip)
    {
        for (long start = skip * batchSize; start < order.Length; start += batchSize)
        {
            var examples = new TextExample[Math.Min(batchSize, order.Length - (int)start)];
            for (int i = 0; i < examples.Length; i++)
                examples[i] = data[order[start + i]];
            yield return model.Collator.Build(examples, data.Kind, model.Labels);
        }
    }

    internal static void RequireMatch(TextClassifier model, ITextDataset data, string parameter, string role)
    {
        if (data.Count == 0)
            throw new ArgumentException($"The {role} set is empty.", parameter);
        if (data.Kind != model.Head.Kind)
            throw new ArgumentException($"The {role} set is {data.Kind} but the model's head predicts {model.Head.Kind}.", parameter);
    }
}
