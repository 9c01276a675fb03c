namespace LlmFineTune.Modeling.Export;

/// <summary>What a backbone's graph computes, as <see cref="BackboneOutput"/> does: token states and/or a pooled vector (value names).</summary>
internal sealed record OnnxBackboneGraph(string InputIds, string AttentionMask, string? TokenStates, string? Pooled);
