namespace LlmFineTune.Examples.HostedClassifier;

/// <summary>The example's command line.</summary>
internal sealed record Arguments(string ModelPath, string TrainPath, int Epochs, int Port, int QueueCapacity, bool Reload, bool Onnx)
{
    /// <summary>Where <c>--onnx</c> exports the model and serves it from.</summary>
    public string OnnxPath => ModelPath + "-onnx";

    public static Arguments? Parse(string[] args)
    {
        string model = Path.Combine(Path.GetTempPath(), "llmft-hosted-classifier");
        string train = Path.Combine(AppContext.BaseDirectory, "data", "support-tickets", "train.tsv");
        int port = 5080;
        int epochs = 10;
        int queue = 256;
        bool reload = false;
        bool onnx = false;
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--model" when value is not null: model = value; i++; break;
                case "--train" when value is not null: train = value; i++; break;
                case "--epochs" when int.TryParse(value, out epochs) && epochs > 0: i++; break;
                case "--port" when int.TryParse(value, out port) && port is > 0 and < 65536: i++; break;
                case "--queue" when int.TryParse(value, out queue) && queue > 0: i++; break;
                case "--reload": reload = true; break;
                case "--onnx": onnx = true; break;
                default: return null;
            }
        }
        // hot reload watches a TorchSharp model directory; an export is made once
        if (onnx && reload) return null;
        return new Arguments(Path.GetFullPath(model), Path.GetFullPath(train), epochs, port, queue, reload, onnx);
    }
}
