using LlmFineTune.Data;

namespace LlmFineTune.Evaluation;

/// <summary>
/// Accumulates single-label metrics batch by batch from probability rows and true class ids. Keeps per class a
/// count matrix and per example only (target, predicted, p(target)) and the class scores ROC-AUC needs, as floats.
/// </summary>
internal sealed class SingleLabelAccumulator
{
    private readonly int classes;
    private readonly int topK;
    private readonly long[,] confusion;
    private readonly long[] binCount;
    private readonly double[] binConfidence;
    private readonly long[] binCorrect;
    private readonly List<int> targets = [];
    private readonly List<int> predicted = [];
    private readonly List<float> targetProbability = [];
    private readonly List<float>[] classScores;
    private double brierSum;
    private long topKHits;

    public SingleLabelAccumulator(int classes, int topK, int calibrationBins)
    {
        this.classes = classes;
        this.topK = Math.Min(topK, classes);
        confusion = new long[classes, classes];
        binCount = new long[calibrationBins];
        binConfidence = new double[calibrationBins];
        binCorrect = new long[calibrationBins];
        classScores = new List<float>[classes];
        for (int c = 0; c < classes; c++) classScores[c] = [];
    }

    /// <summary>Adds a batch.</summary>
    /// <param name="probabilities">Row-major <c>[rows, classes]</c> probabilities.</param>
    /// <param name="batchTargets">The true class id of each row.</param>
    public void Add(ReadOnlySpan<float> probabilities, ReadOnlySpan<int> batchTargets)
    {
        if (probabilities.Length != batchTargets.Length * classes)
            throw new ArgumentException($"Expected {batchTargets.Length} rows of {classes} probabilities, got {probabilities.Length} values.", nameof(probabilities));
        int bins = binCount.Length;
        for (int r = 0; r < batchTargets.Length; r++)
        {
            var row = probabilities.Slice(r * classes, classes);
            int target = batchTargets[r];
            if ((uint)target >= (uint)classes)
                throw new ArgumentOutOfRangeException(nameof(batchTargets), target, $"Target {target} is outside [0, {classes - 1}].");
            int best = 0;
            int ahead = 0;
            double brier = 0;
            for (int c = 0; c < classes; c++)
            {
                if (row[c] > row[best]) best = c;
                // Classes ranked before the target, ties going to the lower id exactly as the prediction breaks them.
                if (row[c] > row[target] || (row[c] == row[target] && c < target)) ahead++;
                double error = row[c] - (c == target ? 1.0 : 0.0);
                brier += error * error;
                classScores[c].Add(row[c]);
            }
            brierSum += brier;
            if (ahead < topK) topKHits++;
            confusion[target, best]++;
            float confidence = row[best];
            int bin = Math.Clamp((int)(confidence * bins), 0, bins - 1);
            binCount[bin]++;
            binConfidence[bin] += confidence;
            if (best == target) binCorrect[bin]++;
            targets.Add(target);
            predicted.Add(best);
            targetProbability.Add(row[target]);
        }
    }

    public int Count => targets.Count;

    /// <summary>Mean −ln p(true class) so far.</summary>
    public double LogLoss => targetProbability.Average(HeadlineMetrics.LogLossTerm);

    /// <summary>Expected calibration error over the equal-width confidence bins so far.</summary>
    public double ExpectedCalibrationError => CalibrationBins().Ece;

    public EvaluationReport ToReport(LabelMap labels, EvaluationOptions options, int skipped)
    {
        int n = Count;
        var counts = ClassCounts.FromConfusion(confusion);
        var examples = new ExamplePredictions { Target = targets.ToArray(), Predicted = predicted.ToArray(), TargetProbability = targetProbability.ToArray() };
        var perClass = new ClassMetrics[classes];
        var auc = new double[classes];
        for (int c = 0; c < classes; c++)
        {
            int positive = c;
            auc[c] = RocAuc.Compute(classScores[c], i => targets[i] == positive);
            perClass[c] = new ClassMetrics(labels[c], counts.Precision(c), counts.Recall(c), counts.F1(c), counts.Support(c), counts.PredictedCount(c), auc[c]);
        }
        var (calibration, ece) = CalibrationBins();
        var matrix = new long[classes][];
        for (int t = 0; t < classes; t++)
        {
            matrix[t] = new long[classes];
            for (int p = 0; p < classes; p++) matrix[t][p] = confusion[t, p];
        }
        return new EvaluationReport
        {
            Task = TaskKind.SingleLabel,
            Count = n,
            Skipped = skipped,
            Labels = labels.ToArray(),
            Accuracy = counts.Accuracy,
            BalancedAccuracy = counts.BalancedAccuracy,
            LogLoss = LogLoss,
            BrierScore = brierSum / n,
            RocAuc = RocAuc.MacroAverage(auc),
            TopK = topK,
            TopKAccuracy = (double)topKHits / n,
            ExpectedCalibrationError = ece,
            PerClass = perClass,
            ConfusionMatrix = matrix,
            Calibration = calibration,
            Examples = options.KeepExamples ? examples : null,
        }.WithAverages(counts).WithIntervals(examples, classes, options);
    }

    /// <summary>The reliability-diagram bins and the expected calibration error, Σ_b (n_b / n) · |accuracy_b − confidence_b|.</summary>
    private (CalibrationBin[] Bins, double Ece) CalibrationBins()
    {
        int n = Count;
        int bins = binCount.Length;
        var calibration = new CalibrationBin[bins];
        double ece = 0;
        for (int b = 0; b < bins; b++)
        {
            double meanConfidence = binCount[b] == 0 ? double.NaN : binConfidence[b] / binCount[b];
            double accuracy = binCount[b] == 0 ? double.NaN : (double)binCorrect[b] / binCount[b];
            calibration[b] = new CalibrationBin((double)b / bins, (double)(b + 1) / bins, binCount[b], meanConfidence, accuracy);
            if (binCount[b] > 0) ece += (double)binCount[b] / n * Math.Abs(accuracy - meanConfidence);
        }
        return (calibration, ece);
    }
}
