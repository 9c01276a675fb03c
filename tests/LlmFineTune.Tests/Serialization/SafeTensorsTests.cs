using System.Buffers.Binary;
using System.Text;
using LlmFineTune.Modeling.Serialization;
using static TorchSharp.torch;

namespace LlmFineTune.Tests.Serialization;

[TestClass]
public sealed class SafeTensorsTests
{
    private string directory = "";

    [TestInitialize]
    public void CreateDirectory() => directory = Directory.CreateTempSubdirectory("llmft-safetensors-").FullName;

    [TestCleanup]
    public void DeleteDirectory() => Directory.Delete(directory, recursive: true);

    [TestMethod]
    public void WriteThenLoadInto_RoundTripsValuesAndReportsUnmatchedNames()
    {
        string path = Path.Combine(directory, "model.safetensors");
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var b = tensor(new float[] { -1.5f, 2.25f });
        SafeTensors.Write(path, [("b", b), ("a", a)]);
        using var targetA = zeros(2, 3);
        using var targetC = zeros(1);

        var (missing, unexpected) = SafeTensors.LoadInto(path, new Dictionary<string, Tensor> { ["a"] = targetA, ["c"] = targetC });

        Assert.IsTrue(targetA.eq(a).all().item<bool>());
        CollectionAssert.AreEqual(new[] { "c" }, missing.ToArray());
        CollectionAssert.AreEqual(new[] { "b" }, unexpected.ToArray());
        Assert.AreEqual(0, (new FileInfo(path).Length - 8 - BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(path).AsSpan(0, 8)) - 32) % 8, "data is 8-byte aligned");
        Assert.IsEmpty(Directory.GetFiles(directory, "*.tmp"), "no temporary file is left behind");
    }

    [TestMethod]
    [DataRow("{}", 0L, 5000L, "runs past the end of the file", DisplayName = "header length beyond the file")]
    [DataRow("{}", 0L, long.MaxValue, "exceeds the limit", DisplayName = "absurd header length, refused before allocating")]
    [DataRow("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12L, null, "overlaps", DisplayName = "overlapping offsets")]
    [DataRow("""{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8L, null, "run past the data section", DisplayName = "offsets out of range")]
    [DataRow("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8L, null, "belong to no tensor", DisplayName = "gap between tensors")]
    [DataRow("""{"x":{"dtype":"F8_E9","shape":[2],"data_offsets":[0,2]}}""", 2L, null, "unknown dtype 'F8_E9'", DisplayName = "unknown dtype")]
    [DataRow("""{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8L, null, "needs 12 bytes but data_offsets span 8", DisplayName = "shape disagrees with byte length")]
    [DataRow("""{"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}""", 8L, null, "absurdly large", DisplayName = "absurd shape")]
    [DataRow("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8L, null, "trailing bytes", DisplayName = "trailing bytes")]
    [DataRow("""[1,2]""", 0L, null, "not a JSON object", DisplayName = "header not an object")]
    public void ReadHeader_CorruptFile_RejectedNamingFileAndProblem(string header, long dataBytes, long? declaredHeaderLength, string expected)
    {
        string path = Raw(header, dataBytes, declaredHeaderLength);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.ReadHeader(path));

        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message, "the message names the file");
    }

    [TestMethod]
    public void LoadInto_ShapeDiffersFromModel_RejectedNamingTensor()
    {
        string path = Path.Combine(directory, "model.safetensors");
        using var saved = zeros(2, 3);
        SafeTensors.Write(path, [("layer.weight", saved)]);
        using var target = zeros(3, 2);

        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.LoadInto(path, new Dictionary<string, Tensor> { ["layer.weight"] = target }));

        Assert.Contains("'layer.weight' has shape [2, 3] but the model expects [3, 2]", e.Message);
        Assert.Contains(path, e.Message);
    }

    private string Raw(string header, long dataBytes, long? declaredHeaderLength = null)
    {
        string path = Path.Combine(directory, "corrupt.safetensors");
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, declaredHeaderLength ?? json.Length);
        json.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
