namespace LlmFineTune.Pretraining;

/// <summary>How <see cref="WordVectorPretraining"/> learns word vectors (fastText's unsupervised models).</summary>
public enum WordVectorObjective
{
    /// <summary>A word's vector (the mean of its word and character n-gram rows) predicts each word around it.</summary>
    SkipGram,

    /// <summary>The mean of the vectors of the words around a word predicts it (continuous bag of words).</summary>
    Cbow,
}
