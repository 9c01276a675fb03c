namespace LlmFineTune.Training.Checkpoints;

/// <summary>A training task whose module saves as a model directory, so that each of its checkpoints is a loadable model.</summary>
internal interface IModelDirectoryTask : ITrainingTask
{
    /// <summary>Saves the module as a model directory (created; replaced as a unit).</summary>
    void SaveModel(string directory);

    /// <summary>Copies the weights of a model directory that <see cref="SaveModel"/> wrote into the module.</summary>
    /// <exception cref="InvalidDataException">The directory's weights do not fit the module.</exception>
    void LoadModel(string directory);
}
