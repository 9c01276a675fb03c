namespace LlmFineTune.Benchmarks.Inference;

/// <summary>How many texts one call of a benchmark method classifies, for the texts/s column.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class TextsPerOperationAttribute(int texts) : Attribute
{
    public int Texts { get; } = texts;

    /// <summary>A [Params] property the count is multiplied by (callers × requests each), or null.</summary>
    public string? MultipliedBy { get; init; }
}
