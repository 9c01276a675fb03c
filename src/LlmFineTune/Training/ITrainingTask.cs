using LlmFineTune.Batching;
using static TorchSharp.torch;

namespace LlmFineTune.Training;

/// <summary>
/// What <see cref="Trainer"/> optimises: fine-tuning a classifier, pretraining a backbone, or a
/// task of your own. The trainer owns the loop (optimizer, schedule, checkpoints, callbacks);
/// the task owns the data order and the loss.
/// </summary>
public interface ITrainingTask
{
    /// <summary>The module whose parameters train and whose state checkpoints save.</summary>
    nn.Module Module { get; }

    /// <summary>Batches in one epoch, or null when the data is a stream (train by step count).</summary>
    long? BatchesPerEpoch { get; }

    /// <summary>
    /// The batches of one epoch in order. The order depends only on <paramref name="epoch"/> and
    /// <paramref name="seed"/>, so a resumed run skips exactly the batches it already saw.
    /// </summary>
    /// <param name="epoch">The epoch, from 1.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="skip">Batches to pass over first (cheaply, without building their tensors).</param>
    /// <returns>Batches the trainer disposes after use.</returns>
    IEnumerable<Batch> Batches(int epoch, int seed, long skip);

    /// <summary>The loss of one batch, computed in the caller's dispose scope with the module in train mode.</summary>
    /// <param name="batch">The batch.</param>
    /// <returns>A scalar tensor.</returns>
    Tensor Loss(Batch batch);

    /// <summary>
    /// The module's parameters in layer groups from the input side to the output side (head last), for
    /// discriminative learning rates and freezing callbacks. Parameters of <see cref="Module"/> that no
    /// group lists join the last group.
    /// </summary>
    /// <returns>At least one group; by default, one group with every parameter.</returns>
    IReadOnlyList<IReadOnlyList<TorchSharp.Modules.Parameter>> LayerGroups() => [[.. Module.parameters()]];
}
