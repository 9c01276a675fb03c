using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace LlmFineTune.Tests.Architecture;

/// <summary>
/// Reads which of an assembly's own namespaces each of its types uses, from the compiled metadata
/// and IL: base types, interfaces, field and method signatures, locals, and every type, method
/// and field token in method bodies (so a call or a <c>new</c> counts, not only a <c>using</c> line).
/// </summary>
internal static class NamespaceDependencies
{
    /// <summary>One use of a type in another namespace: which type uses which.</summary>
    public sealed record Edge(string FromNamespace, string ToNamespace, string FromType, string ToType);

    /// <summary>Every use that crosses a namespace boundary inside the assembly at <paramref name="path"/>.</summary>
    public static IReadOnlyList<Edge> Read(string path)
    {
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var reader = pe.GetMetadataReader();
        var provider = new TypeCollector(reader);
        var edges = new List<Edge>();

        foreach (var handle in reader.TypeDefinitions)
        {
            var type = reader.GetTypeDefinition(handle);
            var used = new HashSet<TypeDefinitionHandle>();
            AddEntity(reader, provider, type.BaseType, used);
            foreach (var i in type.GetInterfaceImplementations())
                AddEntity(reader, provider, reader.GetInterfaceImplementation(i).Interface, used);
            foreach (var f in type.GetFields())
                used.UnionWith(reader.GetFieldDefinition(f).DecodeSignature(provider, null));
            foreach (var m in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(m);
                var signature = method.DecodeSignature(provider, null);
                used.UnionWith(signature.ReturnType);
                foreach (var p in signature.ParameterTypes)
                    used.UnionWith(p);
                if (method.RelativeVirtualAddress != 0)
                    AddBody(reader, provider, pe.GetMethodBody(method.RelativeVirtualAddress), used);
            }

            string from = NamespaceOf(reader, handle);
            foreach (var target in used)
            {
                string to = NamespaceOf(reader, target);
                if (to != from)
                    edges.Add(new Edge(from, to, FullName(reader, handle), FullName(reader, target)));
            }
        }
        return edges;
    }

    private static void AddBody(MetadataReader reader, TypeCollector provider, MethodBodyBlock body, HashSet<TypeDefinitionHandle> used)
    {
        if (!body.LocalSignature.IsNil)
            foreach (var local in reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null))
                used.UnionWith(local);
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            int opcode = il.ReadByte();
            if (opcode == 0xFE)
                opcode = 0xFE00 | il.ReadByte();
            switch (OperandOf(opcode))
            {
                case Operand.Token:
                    int token = il.ReadInt32();
                    if ((token >>> 24) != 0x70) // 0x70: a string literal, not a metadata row
                        AddEntity(reader, provider, MetadataTokens.EntityHandle(token), used);
                    break;
                case Operand.Switch:
                    int count = il.ReadInt32();
                    il.Offset += 4 * count;
                    break;
                case var size:
                    il.Offset += (int)size;
                    break;
            }
        }
    }

    private static void AddEntity(MetadataReader reader, TypeCollector provider, EntityHandle entity, HashSet<TypeDefinitionHandle> used)
    {
        if (entity.IsNil)
            return;
        switch (entity.Kind)
        {
            case HandleKind.TypeDefinition:
                used.Add((TypeDefinitionHandle)entity);
                break;
            case HandleKind.TypeSpecification:
                used.UnionWith(reader.GetTypeSpecification((TypeSpecificationHandle)entity).DecodeSignature(provider, null));
                break;
            case HandleKind.FieldDefinition:
                used.Add(reader.GetFieldDefinition((FieldDefinitionHandle)entity).GetDeclaringType());
                break;
            case HandleKind.MethodDefinition:
                used.Add(reader.GetMethodDefinition((MethodDefinitionHandle)entity).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                AddEntity(reader, provider, reader.GetMemberReference((MemberReferenceHandle)entity).Parent, used);
                break;
            case HandleKind.MethodSpecification:
                var spec = reader.GetMethodSpecification((MethodSpecificationHandle)entity);
                AddEntity(reader, provider, spec.Method, used);
                foreach (var argument in spec.DecodeSignature(provider, null))
                    used.UnionWith(argument);
                break;
        }
    }

    private static string NamespaceOf(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        return type.IsNested ? NamespaceOf(reader, type.GetDeclaringType()) : reader.GetString(type.Namespace);
    }

    private static string FullName(MetadataReader reader, TypeDefinitionHandle handle)
    {
        var type = reader.GetTypeDefinition(handle);
        string name = reader.GetString(type.Name);
        return type.IsNested ? FullName(reader, type.GetDeclaringType()) : reader.GetString(type.Namespace) + "." + name;
    }

    private enum Operand { None = 0, Byte = 1, Short = 2, Int = 4, Long = 8, Token = -1, Switch = -2 }

    /// <summary>The operand that follows an IL opcode (ECMA-335 III), by size or kind.</summary>
    private static Operand OperandOf(int opcode) => opcode switch
    {
        >= 0x0E and <= 0x13 or 0x1F or >= 0x2B and <= 0x37 or 0xDE => Operand.Byte,
        0x20 or 0x22 or >= 0x38 and <= 0x44 or 0xDD => Operand.Int,
        0x21 or 0x23 => Operand.Long,
        0x45 => Operand.Switch,
        0x27 or 0x28 or 0x29 or 0x6F or 0x70 or 0x71 or 0x72 or 0x73 or 0x74 or 0x75 or 0x79 or >= 0x7B and <= 0x81
            or 0x8C or 0x8D or 0x8F or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0 => Operand.Token,
        0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C => Operand.Token,
        >= 0xFE09 and <= 0xFE0E => Operand.Short,
        0xFE12 or 0xFE19 => Operand.Byte,
        _ => Operand.None,
    };

    /// <summary>Decodes a signature into the set of this assembly's type definitions it mentions.</summary>
    private sealed class TypeCollector(MetadataReader reader) : ISignatureTypeProvider<ImmutableHashSet<TypeDefinitionHandle>, object?>
    {
        private static readonly ImmutableHashSet<TypeDefinitionHandle> None = [];

        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromDefinition(MetadataReader r, TypeDefinitionHandle handle, byte rawTypeKind) => [handle];
        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromReference(MetadataReader r, TypeReferenceHandle handle, byte rawTypeKind) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetTypeFromSpecification(MetadataReader r, object? context, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, context);
        public ImmutableHashSet<TypeDefinitionHandle> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetSZArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetArrayType(ImmutableHashSet<TypeDefinitionHandle> elementType, ArrayShape shape) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetByReferenceType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetPointerType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetPinnedType(ImmutableHashSet<TypeDefinitionHandle> elementType) => elementType;
        public ImmutableHashSet<TypeDefinitionHandle> GetGenericInstantiation(ImmutableHashSet<TypeDefinitionHandle> genericType, ImmutableArray<ImmutableHashSet<TypeDefinitionHandle>> typeArguments) =>
            typeArguments.Aggregate(genericType, (all, argument) => all.Union(argument));
        public ImmutableHashSet<TypeDefinitionHandle> GetGenericMethodParameter(object? context, int index) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetGenericTypeParameter(object? context, int index) => None;
        public ImmutableHashSet<TypeDefinitionHandle> GetFunctionPointerType(MethodSignature<ImmutableHashSet<TypeDefinitionHandle>> signature) =>
            signature.ParameterTypes.Aggregate(signature.ReturnType, (all, p) => all.Union(p));
        public ImmutableHashSet<TypeDefinitionHandle> GetModifiedType(ImmutableHashSet<TypeDefinitionHandle> modifier, ImmutableHashSet<TypeDefinitionHandle> unmodifiedType, bool isRequired) => unmodifiedType;
    }
}
