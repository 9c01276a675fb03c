using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Training;

/// <summary>A classifier task whose loss and evaluation a test can script.</summary>
internal sealed class TestTask(TextClassifier model, ITextDataset data, int batchSize) : IEvaluatingTask
{
    private readonly ClassifierTrainingTask inner = new(model, data, new TrainerOptions { BatchSize = batchSize });
    private int lossCalls;
    private int evaluations;

    /// <summary>Replaces the loss of the n-th call (from 1); return null to keep the real loss.</summary>
    public Func<int, Tensor, Tensor?>? LossOverride { get; init; }

    /// <summary>The metrics of the n-th evaluation (from 1).</summary>
    public Func<int, IReadOnlyDictionary<string, double>>? Metrics { get; init; }

    /// <summary>Forces the task to look like a stream.</summary>
    public bool Streaming { get; init; }

    public nn.Module Module => inner.Module;

    public long? BatchesPerEpoch => Streaming ? null : inner.BatchesPerEpoch;

    public IEnumerable<Batch> Batches(int epoch, int seed, long skip) => inner.Batches(epoch, seed, skip);

    public Tensor Loss(Batch batch)
    {
        var loss = inner.Loss(batch);
        return LossOverride?.Invoke(++lossCalls, loss) ?? loss;
    }

    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() => inner.LayerGroups();

    public IReadOnlyDictionary<string, double> Evaluate() =>
        Metrics?.Invoke(++evaluations) ?? new Dictionary<string, double> { ["loss"] = 0 };
}
