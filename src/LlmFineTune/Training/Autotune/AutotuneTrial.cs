namespace LlmFineTune.Training.Autotune;

/// <summary>One finished trial of the search.</summary>
/// <param name="Number">1 for the defaults, then in the order tried.</param>
/// <param name="Settings">What it trained with.</param>
/// <param name="Score">Its best validation metric over its epochs.</param>
/// <param name="BestEpoch">The epoch that scored it.</param>
/// <param name="Elapsed">Its training time.</param>
public sealed record AutotuneTrial(int Number, AutotuneSettings Settings, double Score, int BestEpoch, TimeSpan Elapsed);
