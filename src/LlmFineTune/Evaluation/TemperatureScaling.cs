using LlmFineTune.Batching;
using LlmFineTune.Data;
using LlmFineTune.Modeling;
using static TorchSharp.torch;

namespace LlmFineTune.Evaluation;

/// <summary>
/// Temperature scaling (Guo et al., 2017): one number T that divides a classifier's logits before the softmax
/// (single-label) or sigmoid (multi-label), fitted to minimise the negative log-likelihood of a validation set.
/// Dividing every logit by the same positive T never changes which class is largest, so accuracy is unchanged;
/// only the confidence moves.
/// </summary>
public static class TemperatureScaling
{
    /// <summary>The smallest temperature the search considers (sharpens probabilities at most 20-fold in log space).</summary>
    public const double MinimumTemperature = 0.05;

    /// <summary>The largest temperature the search considers.</summary>
    public const double MaximumTemperature = 20;

    private const int SearchIterations = 60;

    /// <summary>Finds the temperature that minimises the validation negative log-likelihood.</summary>
    /// <param name="model">A single-label or multi-label classifier (its own <see cref="TextClassifier.Temperature"/> is ignored and left as it is).</param>
    /// <param name="validation">Labeled examples the model was not trained on.</param>
    /// <param name="batchSize">Examples per forward pass. Default 64.</param>
    /// <returns>The temperature, in [<see cref="MinimumTemperature"/>, <see cref="MaximumTemperature"/>].</returns>
    /// <exception cref="ArgumentException">The model is a regression model, the set is empty, or its kind differs from the model's head.</exception>
    /// <remarks>
    /// The negative log-likelihood is convex in 1/T for both softmax and sigmoid outputs, so a golden-section
    /// search over 1/T finds the optimum; it is deterministic and needs no gradients.
    /// </remarks>
    public static double Fit(TextClassifier model, ITextDataset validation, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (model.Head.Kind == TaskKind.Regression)
            throw new ArgumentException("A regression model has no probabilities to calibrate; temperature scaling needs a single-label or multi-label head.", nameof(model));
        if (validation.Count == 0)
            throw new ArgumentException("The validation set is empty.", nameof(validation));
        if (validation.Kind != model.Head.Kind)
            throw new ArgumentException($"The validation set is {validation.Kind} but the model's head predicts {model.Head.Kind}.", nameof(validation));

        using var scope = NewDisposeScope();
        var (logits, targets) = Collect(model, validation, batchSize);
        bool single = model.Head.Kind == TaskKind.SingleLabel;
        double Nll(double inverse)
        {
            using var inner = NewDisposeScope();
            var scaled = logits * inverse;
            var loss = single ? nn.functional.cross_entropy(scaled, targets) : nn.functional.binary_cross_entropy_with_logits(scaled, targets);
            return loss.item<double>();
        }

        // golden-section search over the inverse temperature
        double low = 1 / MaximumTemperature, high = 1 / MinimumTemperature;
        double ratio = (Math.Sqrt(5) - 1) / 2;
        double a = high - ratio * (high - low), b = low + ratio * (high - low);
        double fa = Nll(a), fb = Nll(b);
        for (int i = 0; i < SearchIterations; i++)
        {
            if (fa <= fb)
            {
                high = b; b = a; fb = fa;
                a = high - ratio * (high - low);
                fa = Nll(a);
            }
            else
            {
                low = a; a = b; fa = fb;
                b = low + ratio * (high - low);
                fb = Nll(b);
            }
        }
        double best = (low + high) / 2;
        // the search cannot see that T = 1 might tie its optimum on a flat stretch; keep 1 unless the fit is strictly better
        return Nll(best) < Nll(1.0) ? Math.Clamp(1 / best, MinimumTemperature, MaximumTemperature) : 1.0;
    }

    /// <summary>Fits the temperature on a validation set, sets it on the model, and measures log-loss and calibration error before and after.</summary>
    /// <param name="model">A single-label or multi-label classifier in eval mode; its <see cref="TextClassifier.Temperature"/> is replaced.</param>
    /// <param name="validation">Labeled examples the model was not trained on.</param>
    /// <param name="batchSize">Examples per forward pass. Default 64.</param>
    /// <returns>The temperature and the metrics.</returns>
    /// <exception cref="ArgumentException">The model is a regression model, the set is empty, or its kind differs from the model's head.</exception>
    public static TemperatureCalibration Calibrate(TextClassifier model, ITextDataset validation, int batchSize = 64)
    {
        double temperature = Fit(model, validation, batchSize);
        var evaluator = new Evaluator(new EvaluationOptions { BatchSize = batchSize, BootstrapSamples = 0, KeepExamples = false });
        model.Temperature = 1.0;
        var before = evaluator.Evaluate(model, validation);
        model.Temperature = temperature;
        var after = evaluator.Evaluate(model, validation);
        return new TemperatureCalibration(temperature, before.LogLoss ?? double.NaN, after.LogLoss ?? double.NaN,
            before.ExpectedCalibrationError ?? double.NaN, after.ExpectedCalibrationError ?? double.NaN);
    }

    /// <summary>Validation logits (float64 <c>[n, classes]</c>) and targets (class ids, or multi-hot floats), in eval mode under no-grad.</summary>
    private static (Tensor Logits, Tensor Targets) Collect(TextClassifier model, ITextDataset validation, int batchSize)
    {
        var batcher = new DatasetBatcher(validation, model.Collator, model.Labels, batchSize, bucketByLength: true, prefetch: 0);
        var logits = new List<Tensor>();
        var targets = new List<Tensor>();
        using var noGrad = no_grad();
        foreach (var batch in batcher.Batches(epoch: 1, seed: 0))
        {
            using var owned = batch;
            logits.Add(model.Network.call(owned.InputIds, owned.AttentionMask).to_type(ScalarType.Float64));
            targets.Add((owned.Labels ?? owned.Targets!.to_type(ScalarType.Float64)).clone());
        }
        return (cat(logits, 0), cat(targets, 0));
    }
}
