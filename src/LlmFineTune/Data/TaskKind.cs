namespace LlmFineTune.Data;

/// <summary>What a labeled dataset's targets are.</summary>
public enum TaskKind
{
    /// <summary>One class per text.</summary>
    SingleLabel,

    /// <summary>Any subset of the classes per text.</summary>
    MultiLabel,

    /// <summary>One real number per text.</summary>
    Regression,
}
