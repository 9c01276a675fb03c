using LlmFineTune.Data;

namespace LlmFineTune.Modeling;

/// <summary>Turns a flat <c>[texts, outputs]</c> array of scores into answers, the same way for every <see cref="ITextClassifier"/>.</summary>
internal static class PredictionRows
{
    /// <summary>One answer per row; each gets its scores and a label → score map.</summary>
    public static T[] Answer<T>(float[] scores, int rows, LabelMap labels, Func<ArraySegment<float>, IReadOnlyDictionary<string, float>, T> answer)
    {
        int outputs = scores.Length / rows;
        var answers = new T[rows];
        for (int i = 0; i < rows; i++)
        {
            var row = new ArraySegment<float>(scores, i * outputs, outputs);
            var byName = new Dictionary<string, float>(outputs, StringComparer.Ordinal);
            for (int c = 0; c < outputs; c++)
                byName[labels.Count > c ? labels[c] : $"output{c}"] = row[c];
            answers[i] = answer(row, byName);
        }
        return answers;
    }

    /// <summary>The highest-scoring class (the value, for a one-output regression row).</summary>
    public static Prediction Best(ArraySegment<float> row, IReadOnlyDictionary<string, float> byName, LabelMap labels)
    {
        int best = 0;
        for (int c = 1; c < row.Count; c++)
            if (row[c] > row[best]) best = c;
        return new Prediction(labels.Count > best ? labels[best] : "value", row[best], byName);
    }

    /// <summary>The labels whose probability is above their threshold.</summary>
    public static MultiLabelPrediction Present(ArraySegment<float> row, IReadOnlyDictionary<string, float> byName, LabelMap labels, IReadOnlyList<float> thresholds) =>
        new(Enumerable.Range(0, row.Count).Where(c => row[c] > thresholds[c]).Select(c => labels[c]).ToArray(), byName);

    /// <summary>Refuses a call that does not fit the model's task.</summary>
    /// <exception cref="InvalidOperationException">The model's task is not <paramref name="required"/>.</exception>
    public static void RequireTask(TaskKind actual, TaskKind required, string instead)
    {
        if (actual != required)
            throw new InvalidOperationException($"This classifier's head is {actual}, not {required}; use {instead} instead.");
    }
}
