namespace LlmFineTune.Modeling.Heads;

/// <summary>The loss a <see cref="RegressionHead"/> minimises.</summary>
public enum RegressionLoss
{
    /// <summary>Mean squared error.</summary>
    MeanSquaredError,

    /// <summary>Huber loss: squared near the target, linear beyond <see cref="HeadOptions.HuberDelta"/>; robust to outliers.</summary>
    Huber,
}
