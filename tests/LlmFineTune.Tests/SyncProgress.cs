using LlmFineTune.Training;

namespace LlmFineTune.Tests;

/// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
