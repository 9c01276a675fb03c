namespace LlmFineTune.Evaluation;

/// <summary>One bar of a reliability diagram: the examples whose top probability fell in [<paramref name="Lower"/>, <paramref name="Upper"/>).</summary>
/// <param name="Lower">The bin's lower edge.</param>
/// <param name="Upper">The bin's upper edge (the last bin includes 1).</param>
/// <param name="Count">Examples in the bin.</param>
/// <param name="MeanConfidence">Their mean top probability; NaN when the bin is empty.</param>
/// <param name="Accuracy">The fraction of them predicted correctly; NaN when the bin is empty.</param>
public sealed record CalibrationBin(double Lower, double Upper, long Count, double MeanConfidence, double Accuracy);
