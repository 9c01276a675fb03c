using BenchmarkDotNet.Attributes;
using LlmFineTune.StepRunner;
using LlmFineTune.Training;
using LlmFineTune.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace LlmFineTune.Benchmarks.Training;

/// <summary>
/// One training step (zero_grad, forward, cross-entropy, backward, AdamW step, loss.item()) through
/// the library's Trainer, against the same step written directly in TorchSharp (the baseline).
/// Shapes as in ../compare (bag: EmbeddingBag 50k × 64 mean + Linear(64, 4), batch 64 × 60; bag-dense:
/// the same with a dense table gradient, which the library's AdamW then updates whole).
/// </summary>
/// <remarks>
/// The trainer runs <see cref="StepsPerInvoke"/> steps per call, so its optimizer creation (and the
/// first step's moment buffers) is amortised over them, as it is over a real run. To add the
/// transformer shapes, wire them in Shapes.cs and add "encoder" and "mlm" to <see cref="Model"/>.
/// </remarks>
[MemoryDiagnoser]
public class TrainingStepBenchmarks
{
    private const int StepsPerInvoke = 32;

    private ShapeInstance? instance;
    private Trainer? trainer;
    private BareBag? bare;

    /// <summary>The step shape: bag (sparse table gradient, the default) or bag-dense (sparseGradients: false).</summary>
    [Params("bag", "bag-dense")]
    public string Model { get; set; } = "bag";

    [GlobalSetup]
    public void Setup()
    {
        BenchmarkTorch.Initialize();
        var shape = Shapes.Get(Model);
        instance = shape.Create(seed: 0);
        ((ReplayTask)instance.Task).StepsPerEpoch = StepsPerInvoke;
        trainer = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = (int)shape.ExamplesPerStep, LearningRate = 1e-3 }, new AdamWFactory(weightDecay: 0.01));
        if (Model.StartsWith("bag", StringComparison.Ordinal))
            bare = new BareBag();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = StepsPerInvoke)]
    public double BareTorchSharpStep()
    {
        double loss = 0;
        for (int i = 0; i < StepsPerInvoke; i++)
            loss = bare!.Step(i);
        return loss;
    }

    [Benchmark(OperationsPerInvoke = StepsPerInvoke)]
    public double TrainerStep() => trainer!.Train(instance!.Task).FinalLoss;

    [GlobalCleanup]
    public void Cleanup()
    {
        instance?.Owner.Dispose();
        bare?.Dispose();
    }

    /// <summary>The bag step without the library: the peers' bare TorchSharp loop.</summary>
    private sealed class BareBag : IDisposable
    {
        private readonly EmbeddingBag embedding = nn.EmbeddingBag(50_000, 64, mode: EmbeddingBagMode.Mean);
        private readonly Linear linear = nn.Linear(64, 4);
        private readonly TorchSharp.Modules.AdamW optimizer;
        private readonly Tensor[] ids;
        private readonly Tensor[] labels;

        public BareBag()
        {
            optimizer = optim.AdamW(embedding.parameters().Concat(linear.parameters()), lr: 1e-3, beta1: 0.9, beta2: 0.999, weight_decay: 0.01);
            ids = [.. Enumerable.Range(0, 4).Select(_ => randint(0, 50_000, [64, 60], dtype: int64).DetachFromDisposeScope())];
            labels = [.. Enumerable.Range(0, 4).Select(_ => randint(0, 4, [64], dtype: int64).DetachFromDisposeScope())];
        }

        public double Step(int i)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.cross_entropy(linear.call(embedding.call(ids[i % 4])), labels[i % 4]);
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        public void Dispose()
        {
            optimizer.Dispose();
            embedding.Dispose();
            linear.Dispose();
            foreach (var t in ids.Concat(labels)) t.Dispose();
        }
    }
}
