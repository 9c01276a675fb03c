using LlmFineTune.Batching;
using LlmFineTune.Tokenization;
using LlmFineTune.Training;
using LlmFineTune.Training.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace LlmFineTune.Pretraining;

/// <summary>
/// A masked- or causal-LM <see cref="PretrainingTask"/> whose checkpoints are language-model directories
/// (<see cref="LanguageModelDirectory"/>), so a checkpoint loads like the finished model.
/// </summary>
/// <param name="task">The pretraining task; this delegates the training to it.</param>
/// <param name="objective">Its objective, a masked or causal language model.</param>
/// <param name="tokenizer">Its tokenizer, saved with the weights.</param>
/// <param name="load">Loads a directory this saved as a model of the objective's kind; the caller disposes its module.</param>
internal sealed class LanguageModelTrainingTask(PretrainingTask task, IPretrainingObjective objective, ITokenizer tokenizer, Func<string, IPretrainingObjective> load) : IModelDirectoryTask
{
    public nn.Module Module => task.Module;

    public long? BatchesPerEpoch => task.BatchesPerEpoch;

    public IEnumerable<Batch> Batches(int epoch, int seed, long skip) => task.Batches(epoch, seed, skip);

    public Tensor Loss(Batch batch) => task.Loss(batch);

    public IReadOnlyList<IReadOnlyList<Parameter>> LayerGroups() => ((ITrainingTask)task).LayerGroups();

    public void SaveModel(string directory) => LanguageModelDirectory.Save(objective, tokenizer, directory, extra: null);

    public void LoadModel(string directory)
    {
        using var saved = load(directory).Module;
        CheckpointFiles.CopyWeights(objective.Module, saved, directory);
    }
}
