namespace LlmFineTune.Training;

/// <summary>Requests that callbacks make of the trainer; it acts on them after the callback returns.</summary>
public sealed class TrainerControl
{
    /// <value>Set to end training after the current step (weights are kept; the run returns normally).</value>
    public bool StopTraining { get; set; }

    /// <value>Set to write a checkpoint after the current step (needs a checkpoint store); the trainer clears it once written.</value>
    public bool SaveCheckpoint { get; set; }
}
