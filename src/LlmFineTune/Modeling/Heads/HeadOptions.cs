namespace LlmFineTune.Modeling.Heads;

/// <summary>How a task head pools, projects and scores; settings that do not apply to a head's task are ignored by it.</summary>
public sealed class HeadOptions
{
    /// <value>How token states become one vector per text. Default <see cref="PoolingMode.Backbone"/>.</value>
    public PoolingMode Pooling { get; set; } = PoolingMode.Backbone;

    /// <value>Width of a hidden tanh layer between pooling and output (an MLP head), or 0 for a linear head. Default 0.</value>
    public int HiddenSize { get; set; }

    /// <value>Dropout probability before each projection, in [0, 1). Default 0.1 (as BERT fine-tunes).</value>
    public double Dropout { get; set; } = 0.1;

    /// <value>Single-label: label smoothing in [0, 1). Default 0.</value>
    public double LabelSmoothing { get; set; }

    /// <value>Single-label: a positive weight per class for the cross-entropy (rare classes count more), or null for equal weights. Default null.</value>
    public IReadOnlyList<float>? ClassWeights { get; set; }

    /// <value>Multi-label: a probability threshold per label in (0, 1) above which prediction reports it, or null for 0.5 each. Default null.</value>
    public IReadOnlyList<float>? Thresholds { get; set; }

    /// <value>Regression: the loss. Default <see cref="RegressionLoss.MeanSquaredError"/>.</value>
    public RegressionLoss RegressionLoss { get; set; } = RegressionLoss.MeanSquaredError;

    /// <value>Regression with <see cref="RegressionLoss.Huber"/>: where the loss turns linear; positive. Default 1.</value>
    public double HuberDelta { get; set; } = 1.0;
}
