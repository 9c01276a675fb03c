using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using LlmFineTune.Modeling;

namespace LlmFineTune.Tests.Reliability;

/// <summary>
/// Reads the library's compiled metadata: it references no deserializer that can run code from a
/// file (BinaryFormatter and friends, TorchScript), nothing that loads types or assemblies by name,
/// and does not start processes. Safetensors, JSON and TorchSharp's own tensor format stay data.
/// </summary>
[TestClass]
public sealed class NoCodeFromModelFilesTests
{
    private static readonly string[] ForbiddenTypes =
    [
        "System.Runtime.Serialization.Formatters.Binary.BinaryFormatter",
        "System.Runtime.Serialization.Formatters.Soap.SoapFormatter",
        "System.Runtime.Serialization.NetDataContractSerializer",
        "System.Web.UI.LosFormatter",
        "System.Web.UI.ObjectStateFormatter",
        "System.Diagnostics.Process",
    ];

    private static readonly (string Type, string Member)[] ForbiddenMembers =
    [
        ("System.Reflection.Assembly", "Load"),
        ("System.Reflection.Assembly", "LoadFrom"),
        ("System.Reflection.Assembly", "LoadFile"),
        ("System.Reflection.Assembly", "UnsafeLoadFrom"),
        ("System.Type", "GetType"),
        ("System.Activator", "CreateInstance"),
        ("TorchSharp.torch+jit", "load"),
    ];

    [TestMethod]
    public void LibraryAssembly_ReferencesNoCodeExecutingDeserializerOrLoader()
    {
        var found = Forbidden(typeof(TextClassifier).Assembly.Location);

        Assert.IsEmpty(found, $"The library references: {string.Join(", ", found)}");
    }

    [TestMethod]
    public void Scanner_FindsProcessInTheTestAssembly_SoItCanFail()
    {
        // The crash test starts a child process, so this assembly must be flagged.
        CollectionAssert.Contains(Forbidden(typeof(NoCodeFromModelFilesTests).Assembly.Location), "System.Diagnostics.Process");
    }

    /// <summary>Forbidden types and members among an assembly's type and member references.</summary>
    private static List<string> Forbidden(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var metadata = pe.GetMetadataReader();
        var found = new List<string>();
        foreach (var handle in metadata.TypeReferences)
        {
            string name = FullName(metadata, handle);
            if (ForbiddenTypes.Contains(name)) found.Add(name);
        }
        foreach (var handle in metadata.MemberReferences)
        {
            var member = metadata.GetMemberReference(handle);
            if (member.Parent.Kind != HandleKind.TypeReference) continue;
            var key = (FullName(metadata, (TypeReferenceHandle)member.Parent), metadata.GetString(member.Name));
            if (ForbiddenMembers.Contains(key)) found.Add($"{key.Item1}.{key.Item2}");
        }
        return found;
    }

    private static string FullName(MetadataReader metadata, TypeReferenceHandle handle)
    {
        var type = metadata.GetTypeReference(handle);
        string name = metadata.GetString(type.Name);
        return type.ResolutionScope.Kind == HandleKind.TypeReference
            ? FullName(metadata, (TypeReferenceHandle)type.ResolutionScope) + "+" + name
            : metadata.GetString(type.Namespace) + "." + name;
    }
}
