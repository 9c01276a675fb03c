using System.Text.Json.Nodes;
using LlmFineTune.Modeling.Backbones;
using LlmFineTune.Modeling.Serialization;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Modeling.Quantization;

/// <summary>
/// Saves a smaller copy of a classifier, as fastText's <c>quantize</c> does: every large weight matrix in
/// <see cref="QuantizationOptions.Bits"/> bits per value with one 16-bit scale per row, the small tensors (biases,
/// LayerNorms, small heads) as 16-bit floats, for a bag model only the embedding rows that matter, and for a transformer
/// only the position embeddings its max length reaches. The directory loads with <see cref="TextClassifier.Load"/>
/// (weights are expanded back to 32 bits on load) and predicts like the original, up to rounding.
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
        var positions = PositionTable.Of(model);
        // written as a unit like every model directory: built beside the target, the manifest last, then swapped in
        ModelManifest.Save(directory, (staging, saveId) =>
        {
            ModelDirectory.WriteClassifier(model, staging, saveId, ModelParts.Default);
            counts = QuantizeWeights(Path.Combine(staging, ModelDirectory.WeightsFileName), model, positions, options);
            string configPath = Path.Combine(staging, ModelDirectory.ConfigFileName);
            var config = JsonFiles.ReadObject(configPath);
            if (positions is not null)
                config[positions.ConfigKey] = positions.Rows;
            if (config["llmfinetune"] is JsonObject section)
                section["quantization"] = new JsonObject { ["scheme"] = $"int{options.Bits}-per-row", ["other_tensors"] = "F16", ["kept_rows"] = counts.Kept, ["total_rows"] = counts.Total };
            AtomicFile.WriteAllText(configPath, config.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
        });
        return new QuantizationResult(counts.Matrices, counts.Kept, counts.Total, Directory.GetFiles(directory).Sum(f => new FileInfo(f).Length));
    }

    private static (int Matrices, long Kept, long Total) QuantizeWeights(string path, TextClassifier model, PositionTable? positions, QuantizationOptions options)
    {
        var bag = model.Backbone as BagOfNgrams;
        // decision thresholds (multi-label heads' buffers) stay 32-bit: rounding one could flip answers near it
        var layout = ModelParts.Default.Backbones.Require(model.Backbone).Layout;
        var exact = model.Head is nn.Module head ? head.named_buffers().Select(b => layout.HeadFileName(b.name)).ToHashSet(StringComparer.Ordinal) : [];
        var header = SafeTensors.ReadHeader(path);
        var floats = header.Values.ToDictionary(e => e.Name, e => empty(e.Shape, ScalarType.Float32));
        try
        {
            SafeTensors.LoadInto(path, floats);
            using var scope = NewDisposeScope(); // the encoded tensors
            var encoded = new List<(string Name, Tensor Tensor)>();
            int matrices = 0;
            long kept = 0, total = 0;
            foreach (var (name, full) in floats)
            {
                // rows past the max length are never read: the loaded model refuses longer inputs
                var weight = name == positions?.FileName ? full.narrow(0, 0, positions.Rows) : full;
                if (weight.dim() != 2 || weight.numel() < options.MinElements)
                {
                    encoded.Add((name, exact.Contains(name) ? weight : QuantizedWeights.Half(weight)));
                    continue;
                }
                long[]? rows = null;
                if (bag is not null && weight.shape[0] == bag.VocabularySize && weight.shape[1] == bag.HiddenSize)
                {
                    rows = RowsToKeep(weight, options.KeepRows);
                    (kept, total) = (rows.Length, weight.shape[0]);
                }
                encoded.AddRange(QuantizedWeights.Encode(name, weight, rows, options.Bits));
                matrices++;
            }
            SafeTensors.Write(path, encoded);
            return (matrices, kept, total);
        }
        finally
        {
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

    /// <summary>A transformer's position embeddings in the weights file, when the model's max length leaves rows of it unread.</summary>
    /// <param name="FileName">The tensor's name in the file.</param>
    /// <param name="ConfigKey">The config.json key of its row count, rewritten to the max length.</param>
    /// <param name="Rows">The rows the model reads: its max length.</param>
    private sealed record PositionTable(string FileName, string ConfigKey, int Rows)
    {
        public static PositionTable? Of(TextClassifier model) => model.Backbone switch
        {
            BertBackbone bert when model.MaxLength < bert.Config.MaxPositionEmbeddings =>
                new($"{CheckpointLayout.Bert.BackbonePrefix}embeddings.position_embeddings.weight", "max_position_embeddings", model.MaxLength),
            CausalDecoder gpt2 when model.MaxLength < gpt2.Config.NPositions =>
                new($"{CheckpointLayout.Gpt2.BackbonePrefix}wpe.weight", "n_positions", model.MaxLength),
            _ => null,
        };
    }
}
