using static TorchSharp.torch;

namespace LlmFineTune.Training.Callbacks;

/// <summary>A built-in callback whose state a checkpoint must carry for a resumed run to continue exactly (the best weights so far, say).</summary>
internal interface ICheckpointedCallback : ITrainingCallback
{
    /// <summary>Writes the state into the checkpoint's <c>training_state</c> directory; the checkpoint lists and size-checks whatever is written.</summary>
    void WriteState(string stateDirectory);

    /// <summary>Reads what <see cref="WriteState"/> wrote, if anything; runs before the checkpoint's own weights are loaded, so it may use <paramref name="module"/> as scratch.</summary>
    void ReadState(string stateDirectory, nn.Module module);
}
