namespace LlmFineTune.Training;

/// <summary>
/// Hooks into the training loop: read <see cref="TrainerState"/>, request changes through
/// <see cref="TrainerControl"/>. Implement only the methods you need; the rest do nothing.
/// </summary>
/// <remarks>Callbacks run on the training thread between steps. On resume they are called again from <see cref="OnTrainBegin"/> and <see cref="OnEpochBegin"/>, so derive what you do from the state rather than from call counts. The trainer's own policies (<see cref="TrainerOptions.EarlyStoppingPatience"/>, <see cref="TrainerOptions.RestoreBestWeights"/>) are callbacks too and run before yours, so in <see cref="OnEvaluate"/> you see their decision in <see cref="TrainerControl.StopTraining"/>.</remarks>
public interface ITrainingCallback
{
    /// <summary>Before the first step (also when resuming).</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="control">Requests to the trainer.</param>
    void OnTrainBegin(TrainerState state, TrainerControl control) { }

    /// <summary>At the start of each epoch (also the resumed one).</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="control">Requests to the trainer.</param>
    void OnEpochBegin(TrainerState state, TrainerControl control) { }

    /// <summary>After each optimizer step.</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="control">Requests to the trainer.</param>
    void OnStepEnd(TrainerState state, TrainerControl control) { }

    /// <summary>After each evaluation; <see cref="TrainerState.LastEvaluation"/> holds its metrics.</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="control">Requests to the trainer.</param>
    void OnEvaluate(TrainerState state, TrainerControl control) { }

    /// <summary>At the end of each complete epoch.</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="control">Requests to the trainer.</param>
    void OnEpochEnd(TrainerState state, TrainerControl control) { }

    /// <summary>After the last step, when the run ends normally.</summary>
    /// <param name="state">The run's state.</param>
    /// <param name="control">Requests to the trainer.</param>
    void OnTrainEnd(TrainerState state, TrainerControl control) { }
}
