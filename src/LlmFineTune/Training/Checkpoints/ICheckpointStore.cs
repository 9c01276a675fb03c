namespace LlmFineTune.Training.Checkpoints;

/// <summary>Where training checkpoints live; implement it to keep them elsewhere than a local directory.</summary>
public interface ICheckpointStore
{
    /// <summary>Writes a checkpoint so that it appears complete or not at all; the previous one stays valid until then.</summary>
    /// <param name="step">The optimizer step it captures.</param>
    /// <param name="write">Fills the given empty directory with the checkpoint's files.</param>
    /// <returns>The directory the checkpoint can be read from.</returns>
    string Save(int step, Action<string> write);

    /// <summary>The directory of the newest checkpoint, or null when there is none.</summary>
    /// <returns>The directory, or null.</returns>
    string? Latest();
}
