using LlmFineTune.Modeling;
using LlmFineTune.Tokenization;

namespace LlmFineTune.Tests.Examples;

[TestClass]
public sealed class QuickStartTests
{
    [TestMethod]
    [TestCategory("Slow")]
    public void Run_Quick_PretrainsFinetunesEvaluatesSavesLoadsAndPredicts()
    {
        string work = Directory.CreateTempSubdirectory("llmft-quickstart-test-").FullName;
        try
        {
            var output = new StringWriter();

            int code = LlmFineTune.Examples.QuickStart.Program.Run(["--quick", "--out", work], output);

            string text = output.ToString();
            Assert.AreEqual(0, code, text);
            StringAssert.Contains(text, "held-out perplexity");
            StringAssert.Contains(text, "pretrained + fine-tuned");
            StringAssert.Contains(text, "from scratch");
            StringAssert.Contains(text, "accuracy gain from pretraining");
            Assert.AreEqual("bert-tiny", ClassifierFactory.BackboneOf(Path.Combine(work, "pretrained")));
            using var saved = TextClassifier.Load(Path.Combine(work, "support-intents"), Tokenizers.Load);
            Assert.AreEqual(12, saved.Labels.Count);
            StringAssert.Contains(text, $"  {saved.Predict("how do i get a receipt for my last order?").Label}", "the loaded model's prediction is printed");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
