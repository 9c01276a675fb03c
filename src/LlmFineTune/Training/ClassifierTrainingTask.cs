using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
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
        if (data.Count == 0)
            throw new ArgumentException("The training set is empty.", nameof(data));
        if (data.Kind != model.Head.Kind)
            throw new ArgumentException($"The training set is {data.Kind} but the model's head predicts {model.Head.Kind}.", nameof(data));
        this.model = model;
        this.data = data;
        this.batchSize = batchSize;
    }

    public nn.Module Module => model.Network;

    public long? BatchesPerEpoch => (data.Count + batchSize - 1) / batchSize;

    public IEnumerable<Batch> Batches(int epoch, int seed, long skip)
    {
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        // HashCode.Combine is randomised per process; the order must repeat across runs and resumes.
        new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
        for (long start = skip * batchSize; start < order.Length; start += batchSize)
        {
            var examples = new TextExample[Math.Min(batchSize, order.Length - (int)start)];
            for (int i = 0; i < examples.Length; i++)
                examples[i] = data[order[start + i]];
            yield return model.Collator.Build(examples, data.Kind, model.Labels);
        }
    }

    public Tensor Loss(Batch batch) =>
        model.Head.Loss(model.Network.call(batch.InputIds, batch.AttentionMask), batch);
}
