using LlmFineTune.Data;
using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;

namespace LlmFineTune.DependencyInjection;

/// <summary>Builds a fresh, untrained classifier from the tokenizer, backbone and head that <see cref="LlmFineTuneOptions"/> names.</summary>
public sealed class TextClassifierFactory
{
    private readonly IServiceProvider services;
    private readonly LlmFineTuneOptions options;

    internal TextClassifierFactory(IServiceProvider services, LlmFineTuneOptions options)
    {
        this.services = services;
        this.options = options;
    }

    /// <summary>Creates a classifier for a training set: the tokenizer learns from its texts, the head gets its labels.</summary>
    /// <param name="train">The training set.</param>
    /// <returns>A new classifier; the caller disposes it.</returns>
    /// <exception cref="InvalidOperationException">A name in <see cref="LlmFineTuneOptions"/> is not registered; the message lists the registered ones.</exception>
    public TextClassifier Create(ITextDataset train)
    {
        ArgumentNullException.ThrowIfNull(train);
        var tokenizer = NamedComponent.Resolve<ITokenizerFactory>(services, options.EffectiveTokenizer(), "LlmFineTuneOptions.Tokenizer")
            .Create(train.Select(e => e.Text));
        var backbone = NamedComponent.Resolve<IBackboneFactory>(services, options.Backbone, "LlmFineTuneOptions.Backbone").Create(tokenizer);
        ITaskHead head;
        try
        {
            head = NamedComponent.Resolve<ITaskHeadFactory>(services, options.TaskHead, "LlmFineTuneOptions.TaskHead").Create(backbone.HiddenSize, train.LabelMap);
        }
        catch
        {
            (backbone as IDisposable)?.Dispose();
            throw;
        }
        // A backbone of your own truncates as the transformer presets do, within its positions.
        int maxLength = options.MaxLength ?? ModelPresets.Find(options.Backbone)?.MaxLength ?? Math.Min(ModelPresets.TransformerMaxLength, backbone.MaxPositions ?? int.MaxValue);
        return new TextClassifier(tokenizer, backbone, head, train.LabelMap, maxLength);
    }
}
