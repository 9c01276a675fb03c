using TorchSharp.Modules;

namespace LlmFineTune.Training.Callbacks;

/// <summary>Makes the top layer groups trainable and the rest frozen; what the freezing callbacks share.</summary>
internal static class LayerFreezing
{
    public static void TrainTopGroups(IReadOnlyList<IReadOnlyList<Parameter>> groups, int trainable)
    {
        for (int i = 0; i < groups.Count; i++)
        {
            bool train = i >= groups.Count - trainable;
            foreach (var parameter in groups[i])
            {
                parameter.requires_grad = train;
                // A stale gradient would keep moving a frozen parameter through momentum and weight decay.
                if (!train && parameter.grad is { } grad)
                {
                    parameter.grad = null;
                    grad.Dispose();
                }
            }
        }
    }
}
