namespace LlmFineTune.Training.Callbacks;

/// <summary>Trains only the head (the last layer group) for the first epochs, keeping the backbone's weights exactly as they are; then, optionally, everything.</summary>
public sealed class FreezeBackbone : ITrainingCallback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="epochs">Epochs to keep the backbone frozen; null for the whole run. Default null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> is below 1.</exception>
    public FreezeBackbone(int? epochs = null)
    {
        if (epochs is < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be at least 1, or null for the whole run.");
        Epochs = epochs;
    }

    /// <summary>Epochs the backbone stays frozen; null for the whole run.</summary>
    public int? Epochs { get; }

    /// <inheritdoc />
    public void OnEpochBegin(TrainerState state, TrainerControl control)
    {
        bool frozen = Epochs is null || state.Epoch <= Epochs;
        LayerFreezing.TrainTopGroups(state.LayerGroups, frozen ? 1 : state.LayerGroups.Count);
    }
}
