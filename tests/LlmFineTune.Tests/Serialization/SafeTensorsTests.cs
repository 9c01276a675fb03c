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
    public void ReadHeader_HeaderLengthBeyondFile_Rejected() =>
        AssertRejected(Raw("{}", dataBytes: 0, declaredHeaderLength: 5000), "runs past the end of the file");

    [TestMethod]
    public void ReadHeader_AbsurdHeaderLength_RejectedBeforeAllocating() =>
        AssertRejected(Raw("{}", dataBytes: 0, declaredHeaderLength: long.MaxValue), "exceeds the limit");

    [TestMethod]
    public void ReadHeader_OverlappingOffsets_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"y":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12), "overlaps");

    [TestMethod]
    public void ReadHeader_OffsetsOutOfRange_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8), "run past the data section");

    [TestMethod]
    public void ReadHeader_GapBetweenTensors_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", 8), "belong to no tensor");

    [TestMethod]
    public void ReadHeader_UnknownDtype_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F8_E9","shape":[2],"data_offsets":[0,2]}}""", 2), "unknown dtype 'F8_E9'");

    [TestMethod]
    public void ReadHeader_ShapeDisagreesWithByteLength_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8), "needs 12 bytes but data_offsets span 8");

    [TestMethod]
    public void ReadHeader_AbsurdShape_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}""", 8), "absurdly large");

    [TestMethod]
    public void ReadHeader_TrailingBytes_Rejected() =>
        AssertRejected(Raw("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8), "trailing bytes");

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

    private static void AssertRejected(string path, string expected)
    {
        var e = Assert.ThrowsExactly<InvalidDataException>(() => SafeTensors.ReadHeader(path));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(path, e.Message, "the message names the file");
    }
}
