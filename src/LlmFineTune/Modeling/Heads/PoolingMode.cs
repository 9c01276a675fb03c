namespace LlmFineTune.Modeling.Heads;

/// <summary>How a head turns a backbone's per-token states into one vector per text.</summary>
public enum PoolingMode
{
    /// <summary>The backbone's own pooled vector (BERT's pooler, the bag's mean); the masked mean of the token states when it gives none.</summary>
    Backbone,

    /// <summary>The state of the first token (<c>[CLS]</c>).</summary>
    Cls,

    /// <summary>The mean of the states of the real (unpadded) tokens.</summary>
    Mean,

    /// <summary>The element-wise maximum over the real (unpadded) tokens.</summary>
    Max,
}
