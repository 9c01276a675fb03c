using LlmFineTune.Modeling.Heads;

namespace LlmFineTune.Training.Autotune;

/// <summary>
/// Where the autotuner looks: the bag backbone's settings (learning rate, epochs, width, n-gram order, buckets,
/// dropout, weight decay) or a transformer's (learning rate, epochs, batch size, pooling, layer-wise decay,
/// dropout, weight decay). Half the proposals perturb the best trial so far, half sample the whole space, as
/// fastText's autotune narrows around its best.
/// </summary>
internal sealed class SearchSpace(bool bag)
{
    private static readonly int[] Dimensions = [16, 32, 64, 128, 256];
    private static readonly int[] BucketExponents = [16, 17, 18, 19, 20, 21];
    private static readonly int[] BatchSizes = [8, 16, 32];
    private static readonly PoolingMode[] Poolings = [PoolingMode.Mean, PoolingMode.Cls, PoolingMode.Max];
    private static readonly double[] LayerDecays = [1.0, 1.5, 2.6];
    private static readonly double[] WeightDecays = [0, 0.01, 0.1];

    public AutotuneSettings Propose(Random random, AutotuneSettings best) =>
        random.NextDouble() < 0.5 ? Perturb(random, best) : Sample(random);

    private AutotuneSettings Sample(Random random) => bag
        ? new AutotuneSettings(LogUniform(random, 0.005, 0.2), random.Next(2, 26), Pick(random, BatchSizes), Pick(random, WeightDecays), random.NextDouble() * 0.5, 1.0,
            null, Pick(random, Dimensions), random.Next(1, 4), 1 << Pick(random, BucketExponents))
        : new AutotuneSettings(LogUniform(random, 1e-5, 1e-3), random.Next(2, 11), Pick(random, BatchSizes), Pick(random, WeightDecays), random.NextDouble() * 0.3, Pick(random, LayerDecays),
            Pick(random, Poolings), null, null, null);

    /// <summary>Moves each setting of the best trial a little; a setting keeps its value with probability one half.</summary>
    private AutotuneSettings Perturb(Random random, AutotuneSettings best)
    {
        bool Move() => random.NextDouble() < 0.5;
        double lr = Move() ? best.LearningRate * Math.Exp((random.NextDouble() * 2 - 1) * Math.Log(2.5)) : best.LearningRate;
        int epochs = Move() ? Math.Clamp(best.Epochs + random.Next(-3, 4), 1, bag ? 30 : 12) : best.Epochs;
        var settings = best with
        {
            LearningRate = lr,
            Epochs = epochs,
            BatchSize = Move() ? Pick(random, BatchSizes) : best.BatchSize,
            WeightDecay = Move() ? Pick(random, WeightDecays) : best.WeightDecay,
            Dropout = Move() ? Math.Clamp(best.Dropout + (random.NextDouble() - 0.5) * 0.2, 0, 0.5) : best.Dropout,
        };
        return bag
            ? settings with
            {
                BagDimension = Move() ? Pick(random, Dimensions) : best.BagDimension,
                BagWordNgrams = Move() ? random.Next(1, 4) : best.BagWordNgrams,
                BagBuckets = Move() ? 1 << Pick(random, BucketExponents) : best.BagBuckets,
            }
            : settings with
            {
                Pooling = Move() ? Pick(random, Poolings) : best.Pooling,
                LayerLearningRateDecay = Move() ? Pick(random, LayerDecays) : best.LayerLearningRateDecay,
            };
    }

    private static double LogUniform(Random random, double low, double high) => Math.Exp(Math.Log(low) + random.NextDouble() * (Math.Log(high) - Math.Log(low)));

    private static T Pick<T>(Random random, T[] values) => values[random.Next(values.Length)];
}
