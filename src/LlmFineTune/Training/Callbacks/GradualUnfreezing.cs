namespace LlmFineTune.Training.Callbacks;

/// <summary>ULMFiT's gradual unfreezing: epoch 1 trains the head only, and each later epoch unfreezes one more layer group from the top.</summary>
/// <remarks>Combine with <see cref="TrainerOptions.LayerLearningRateDecay"/> and <see cref="Schedules.SlantedTriangularSchedule"/> for the full ULMFiT recipe.</remarks>
public sealed class GradualUnfreezing : ITrainingCallback
{
    /// <summary>Creates the callback.</summary>
    /// <param name="groupsPerEpoch">Layer groups unfrozen per epoch. Default 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="groupsPerEpoch"/> is below 1.</exception>
    public GradualUnfreezing(int groupsPerEpoch = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(groupsPerEpoch, 1);
        GroupsPerEpoch = groupsPerEpoch;
    }

    /// <summary>Layer groups unfrozen per epoch.</summary>
    public int GroupsPerEpoch { get; }

    /// <inheritdoc />
    public void OnEpochBegin(TrainerState state, TrainerControl control) =>
        LayerFreezing.TrainTopGroups(state.LayerGroups, (int)Math.Min(state.LayerGroups.Count, 1L + (long)(state.Epoch - 1) * GroupsPerEpoch));
}
