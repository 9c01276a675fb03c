namespace LlmFineTune.Data;

/// <summary>One unlabeled document streamed from an <see cref="ITextCorpus"/>.</summary>
/// <param name="Text">The document's text (its lines joined with '\n').</param>
/// <param name="Source">Where it starts, as "file:line", for messages.</param>
/// <param name="Next">The position just after this document; resume there to read the document that follows.</param>
public readonly record struct CorpusDocument(string Text, string Source, CorpusPosition Next);
