namespace LlmFineTune.Examples.HostedClassifier;

/// <summary>The body of <c>POST /classify</c>.</summary>
internal sealed record ClassifyRequest(string? Text);

/// <summary>The answer of <c>POST /classify</c> for a single-label model: the best label, its probability, and every label's.</summary>
internal sealed record ClassifyResponse(string Label, float Score, IReadOnlyDictionary<string, float> Scores);

/// <summary>The answer of <c>POST /classify</c> for a multi-label model: the labels that apply, and every label's probability.</summary>
internal sealed record MultiLabelResponse(IReadOnlyList<string> Labels, IReadOnlyDictionary<string, float> Scores);

/// <summary>The answer of <c>POST /classify</c> for a regression model.</summary>
internal sealed record ValueResponse(float Value);

/// <summary>The answer of <c>GET /stats</c>: how well requests are being batched.</summary>
internal sealed record ServiceStats(long RequestsScored, long ForwardPasses, int LargestBatch, int QueueDepth);
