using LlmFineTune.Data;
using LlmFineTune.Modeling;

namespace LlmFineTune.DependencyInjection;

/// <summary>A head factory from a function: the built-in heads and <c>AddTaskHead(name, function)</c>.</summary>
internal sealed class DelegateTaskHeadFactory(Func<int, LabelMap, ITaskHead> create) : ITaskHeadFactory
{
    public ITaskHead Create(int hiddenSize, LabelMap labels) => create(hiddenSize, labels);
}
