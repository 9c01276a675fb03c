namespace LlmFineTune.Benchmarks.Accuracy;

/// <summary>How many epochs a run needs to see a number of examples, as the library's <c>TrainerOptions.Recommended(…, trainingExamples)</c> counts them.</summary>
internal static class TrainingLength
{
    /// <summary>At least <paramref name="minimumEpochs"/>, and enough passes over <paramref name="trainCount"/> examples to see <paramref name="examples"/>.</summary>
    public static int EpochsToSee(int minimumEpochs, int examples, int trainCount) => Math.Max(minimumEpochs, (examples + trainCount - 1) / trainCount);
}
