namespace LlmFineTune.Training;

/// <summary>Reported after each optimizer step.</summary>
/// <param name="Step">Steps done so far.</param>
/// <param name="TotalSteps">Steps the run will take.</param>
/// <param name="Epoch">The current epoch, from 1.</param>
/// <param name="Loss">This step's training loss.</param>
/// <param name="LearningRate">This step's learning rate.</param>
public sealed record TrainingProgress(int Step, int TotalSteps, int Epoch, double Loss, double LearningRate);
