using LlmFineTune.Modeling;
using TorchSharp;

namespace LlmFineTune.Cli;

/// <summary>Estimates how many bytes a classifier's model directory takes on disk, to check for room before training.</summary>
internal static class ModelSize
{
    public static long Bytes(TextClassifier model)
    {
        long elements = model.Backbone.LayerGroups().SelectMany(g => g).Sum(p => p.numel());
        if (model.Head is torch.nn.Module head)
            elements += head.parameters().Sum(p => p.numel());
        // float32 weights; the tokenizer and config are small enough for the checker's slack
        return elements * sizeof(float);
    }
}
