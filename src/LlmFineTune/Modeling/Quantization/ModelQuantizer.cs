using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Quantization;

/// <summary>
/// Saves a smaller copy of a classifier, as fastText's <c>quantize</c> does: every large weight matrix in 8 bits with one
/// scale per row, and for a bag model only the embedding rows that matter. The directory loads with
/// <see cref="TextClassifier.Load"/> (weights are expanded back to 32 bits on load) and predicts like the original, up to rounding.
/// </summary>
public static class ModelQuantizer
{
    /// <summary>Writes the quantized model directory; an existing directory of that name is replaced as a whole.</summary>
    /// <param name="model">The classifier to shrink (left unchanged).</param>
    /// <param name="directory">The output directory.</param>
    /// <param name="options">Pruning and size settings; defaults when null.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="NotSupportedException">The backbone or head is not registered in <see cref="ModelParts.Default"/>.</exception>
    public static QuantizationResult Save(TextClassifier model, string directory, QuantizationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new QuantizationOptions();
        options.Validate();
        (int Matrices, long Kept, long Total) counts = default;
        // written as a unit like every model directory: built beside the target, the manifest last, then swapped in
        ModelManifest.Save(directory, (staging, saveId) =>
        {
            ModelDirectory.WriteClassifier(model, staging, saveId, ModelParts.Default);
            counts = QuantizeWeights(Path.Combine(staging, ModelDirectory.WeightsFileName), model.Backbone as BagOfNgrams, options);
            string configPath = Path.Combine(staging, ModelDirectory.ConfigFileName);
            var config = JsonFiles.ReadObject(configPath);
            if (config["llmfinetune"] is JsonObject section)
                section["quantization"] = new JsonObject { ["scheme"] = "int8-per-row", ["kept_rows"] = counts.Kept, ["total_rows"] = counts.Total };
            AtomicFile.WriteAllText(configPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        });
        return new QuantizationResult(counts.Matrices, counts.Kept, counts.Total, Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length));
    }

    private static (int Matrices, long Kept, long Total) QuantizeWeights(string path, BagOfNgrams? bag, QuantizationOptions options)
    {
        var header = SafeTensors.ReadHeader(path);
        var floats = header.Values.ToDictionary(e => e.Name, e => empty(e.Shape, ScalarType.Float32));
        var encoded = new List<(string Name, Tensor Tensor)>();
        try
        {
            SafeTensors.LoadInto(path, floats);
            int matrices = 0;
            long kept = 0, total = 0;
            foreach (var (name, weight) in floats)
            {
                if (weight.dim() != 2 || weight.numel() < options.MinElements)
                {
                    encoded.Add((name, weight));
                    continue;
                }
                long[]? rows = null;
                if (bag is not null && weight.shape[0] == bag.VocabularySize && weight.shape[1] == bag.HiddenSize)
                {
                    rows = RowsToKeep(weight, options.KeepRows);
                    (kept, total) = (rows.Length, weight.shape[0]);
                }
                var parts = QuantizedWeights.Encode(name, weight, rows).ToList();
                foreach (var part in parts) encoded.Add(part);
                matrices++;
            }
            SafeTensors.Write(path, encoded);
            return (matrices, kept, total);
        }
        finally
        {
            foreach (var (name, tensor) in encoded)
                if (!floats.ContainsKey(name)) tensor.Dispose();
            foreach (var tensor in floats.Values) tensor.Dispose();
        }
    }

    /// <summary>The rows to keep, in increasing order: the <paramref name="count"/> of largest norm, or (0) those beyond the initial range; never so few that the file could not be loaded.</summary>
    private static long[] RowsToKeep(Tensor table, int count)
    {
        float[] norms;
        using (var scope = NewDisposeScope())
            norms = table.norm(1).data<float>().ToArray();
        var byNorm = Enumerable.Range(0, norms.Length).OrderByDescending(r => norms[r]).ThenBy(r => r);
        double initialMax = 1.0 / Math.Sqrt(table.shape[1]);
        var chosen = count > 0 ? byNorm.Take(count).ToList() : byNorm.TakeWhile(r => norms[r] > initialMax).ToList();
        // the loader refuses a file that expands more than QuantizedWeights.MaxExpansion-fold, so keep at least that many rows
        long fewest = (long)Math.Ceiling(table.numel() * 4.0 / QuantizedWeights.MaxExpansion / (table.shape[1] + 8));
        if (chosen.Count < fewest)
            chosen = [.. byNorm.Take((int)Math.Min(fewest, norms.Length))];
        return [.. chosen.Select(r => (long)r).Order()];
    }
}
