using LlmFineTune.Training;

namespace LlmFineTune.Tests.Training;

/// <summary>A callback that runs test code after each step.</summary>
internal sealed class RecordingCallback(Action<TrainerState, TrainerControl> onStepEnd) : ITrainingCallback
{
    public void OnStepEnd(TrainerState state, TrainerControl control) => onStepEnd(state, control);
}
