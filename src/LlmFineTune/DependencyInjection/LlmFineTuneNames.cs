using LlmFineTune.Modeling;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Training.Optimizers;

namespace LlmFineTune.DependencyInjection;

/// <summary>The names the built-in heads, optimizers, schedules, backbones and tokenizers are registered under (keys of keyed services).</summary>
public static class LlmFineTuneNames
{
    /// <summary>Single-label classification head (<see cref="Modeling.Heads.SingleLabelHead"/>).</summary>
    public const string SingleLabelHead = "single";

    /// <summary>Multi-label head (<see cref="Modeling.Heads.MultiLabelHead"/>).</summary>
    public const string MultiLabelHead = "multi";

    /// <summary>Regression head (<see cref="Modeling.Heads.RegressionHead"/>).</summary>
    public const string RegressionHead = "regression";

    /// <summary>AdamW (<see cref="Training.Optimizers.AdamWFactory"/>).</summary>
    public const string AdamW = NamedOptimizers.AdamW;

    /// <summary>Adam (<see cref="Training.Optimizers.AdamFactory"/>).</summary>
    public const string Adam = NamedOptimizers.Adam;

    /// <summary>SGD (<see cref="Training.Optimizers.SgdFactory"/>).</summary>
    public const string Sgd = NamedOptimizers.Sgd;

    /// <summary>RMSprop (<see cref="Training.Optimizers.RmsPropFactory"/>).</summary>
    public const string RmsProp = NamedOptimizers.RmsProp;

    /// <summary>Adagrad (<see cref="Training.Optimizers.AdagradFactory"/>).</summary>
    public const string Adagrad = NamedOptimizers.Adagrad;

    /// <summary>Constant learning rate (<see cref="Training.Schedules.ConstantSchedule"/>).</summary>
    public const string ConstantSchedule = "constant";

    /// <summary>Linear decay (<see cref="Training.Schedules.LinearSchedule"/>).</summary>
    public const string LinearSchedule = "linear";

    /// <summary>Cosine decay (<see cref="Training.Schedules.CosineSchedule"/>).</summary>
    public const string CosineSchedule = "cosine";

    /// <summary>ULMFiT's slanted triangle (<see cref="Training.Schedules.SlantedTriangularSchedule"/>).</summary>
    public const string SlantedTriangularSchedule = "slanted-triangular";

    /// <summary>One-cycle (<see cref="Training.Schedules.OneCycleSchedule"/>).</summary>
    public const string OneCycleSchedule = "one-cycle";

    /// <summary>Bag of n-gram embeddings (<see cref="Modeling.Backbones.BagOfNgrams"/>).</summary>
    public const string BagBackbone = BagOfNgrams.KindName;

    /// <summary>Hashing tokenizer (<see cref="Tokenization.HashingTokenizer"/>).</summary>
    public const string HashingTokenizer = ModelPresets.HashingTokenizer;

    /// <summary>WordPiece tokenizer trained on the training texts (<see cref="Tokenization.WordPieceTrainer"/>).</summary>
    public const string WordPieceTokenizer = ModelPresets.WordPieceTokenizer;
}
