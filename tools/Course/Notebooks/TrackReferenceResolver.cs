using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Scripting;

namespace Course.Notebooks;

/// <summary>
/// Resolves <c>#r "path.dll"</c> relative to the notebook's folder, and maps a
/// path into labs/ onto the track under test: a notebook written against
/// <c>../labs/Lab01.SocketEcho/bin/Debug/net10.0/Lab01.SocketEcho.dll</c> runs
/// against solutions/ when the runner is asked to.
/// </summary>
internal sealed class TrackReferenceResolver(string notebookFolder, Func<string, string> mapPath) : MetadataReferenceResolver
{
    private readonly ScriptMetadataResolver _inner = ScriptMetadataResolver.Default.WithBaseDirectory(notebookFolder);
    private readonly Func<string, string> _mapPath = mapPath;

    public override ImmutableArray<PortableExecutableReference> ResolveReference(string reference, string? baseFilePath, MetadataReferenceProperties properties)
    {
        if (reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || reference.Contains('/') || reference.Contains('\\'))
            reference = _mapPath(Path.GetFullPath(reference, notebookFolder));
        return _inner.ResolveReference(reference, baseFilePath, properties);
    }

    public override bool ResolveMissingAssemblies => _inner.ResolveMissingAssemblies;

    public override PortableExecutableReference? ResolveMissingAssembly(MetadataReference definition, AssemblyIdentity referenceIdentity) =>
        _inner.ResolveMissingAssembly(definition, referenceIdentity);

    public override bool Equals(object? other) =>
        other is TrackReferenceResolver r && r._inner.Equals(_inner) && r._mapPath == _mapPath;

    public override int GetHashCode() => _inner.GetHashCode();
}
