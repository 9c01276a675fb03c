using LlmFineTune.Modeling.Serialization;
using LlmFineTune.Tests.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Serialization;

[TestClass]
public sealed class QuantizedWeightsTests
{
    [TestMethod]
    [DataRow(2)]
    [DataRow(4)]
    [DataRow(7)]
    [DataRow(8)]
    public void EncodeThenLoad_EveryWidth_EachValueWithinHalfAStepOfItsRow(int bits)
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        manual_seed(5);
        // 13 columns: not a multiple of the eight values a packed group holds
        var weight = randn(6, 13) * tensor(new float[] { 1, 0.01f, 3, 0, 0.2f, 50 }).unsqueeze(1);
        string path = Path.Combine(folder.Path, "w.safetensors");
        var encoded = QuantizedWeights.Encode("m", weight, rows: null, bits).ToList();
        SafeTensors.Write(path, encoded);
        var target = zeros(6, 13);

        var missing = QuantizedWeights.LoadInto(path, SafeTensors.ReadHeader(path), new Dictionary<string, Tensor> { ["m"] = target }, n => n);

        Assert.IsEmpty(missing);
        Assert.AreEqual(bits == 8 ? "m:int8" : $"m:int{bits}", encoded[0].Name);
        var step = weight.abs().amax([1], keepdim: true) / ((1 << (bits - 1)) - 1);
        var error = (target - weight).abs();
        Assert.IsTrue(error.le(step / 2 * 1.001 + 1e-7).all().item<bool>(), $"{bits} bits: worst error {error.max().item<float>()} for steps {string.Join(", ", step.data<float>().ToArray())}");
        Assert.IsTrue(target[3].eq(0).all().item<bool>(), "an all-zero row stays zero");
    }

    [TestMethod]
    public void LoadInto_Float32Scales_AsWrittenBefore16BitScales_Load()
    {
        using var folder = new TempFolder();
        using var scope = NewDisposeScope();
        manual_seed(6);
        var weight = randn(4, 8);
        string path = Path.Combine(folder.Path, "w.safetensors");
        SafeTensors.Write(path, QuantizedWeights.Encode("m", weight, rows: null, bits: 8).Select(e => e.Name.EndsWith(":scale", StringComparison.Ordinal) ? (e.Name, e.Tensor.to_type(ScalarType.Float32)) : e));
        var target = zeros(4, 8);

        QuantizedWeights.LoadInto(path, SafeTensors.ReadHeader(path), new Dictionary<string, Tensor> { ["m"] = target }, n => n);

        Assert.AreEqual("F32", SafeTensors.ReadHeader(path)["m:scale"].DType);
        Assert.IsTrue(target.allclose(weight, rtol: 0, atol: weight.abs().max().item<float>() / 127));
    }

    [TestMethod]
    public void Half_ValueBeyondFloat16Range_StaysFloat32()
    {
        using var scope = NewDisposeScope();

        Assert.AreEqual(ScalarType.Float16, QuantizedWeights.Half(tensor(new float[] { 1, -65504 })).dtype);
        Assert.AreEqual(ScalarType.Float32, QuantizedWeights.Half(tensor(new float[] { 1, 70000 })).dtype);
    }
}
