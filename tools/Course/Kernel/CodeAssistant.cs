using System.Text;
using Course.Notebooks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Course.Kernel;

/// <summary>What the front end should do with the text typed so far (is_complete_reply).</summary>
public sealed record Completeness(string Status, string Indent = "");

/// <summary>Names that may follow the cursor, and the span of text they replace (complete_reply).</summary>
public sealed record Completions(IReadOnlyList<CompletionItem> Items, int Start, int End);

public sealed record CompletionItem(string Text, string Kind);

/// <summary>
/// The editor's helpers, answered by Roslyn's syntax and semantic models over
/// the cell as it would run after the cells so far: is the code complete (an
/// open brace is not), which names complete a prefix (members after a dot,
/// else what is in scope and the keywords), and what a name is (inspect).
/// Positions here are UTF-16 indexes; the kernel converts Jupyter's code points.
/// </summary>
public static class CodeAssistant
{
    private static readonly CSharpParseOptions ScriptParse = CSharpParseOptions.Default
        .WithKind(SourceCodeKind.Script).WithLanguageVersion(LanguageVersion.Latest);

    private static readonly string[] Keywords = SyntaxFacts.GetKeywordKinds().Concat(SyntaxFacts.GetContextualKeywordKinds())
        .Select(SyntaxFacts.GetText).Where(k => k.Length > 0 && char.IsLetter(k[0])).Distinct(StringComparer.Ordinal).ToArray();

    public const int MaxCompletions = 500;

    /// <summary>"int Math.Max(int val1, int val2)": what a learner wants from inspect.</summary>
    private static readonly SymbolDisplayFormat Signature = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType
            | SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeRef,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName
            | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static Completeness IsComplete(string code)
    {
        if (string.IsNullOrWhiteSpace(code))
            return new Completeness("complete");
        var tree = CSharpSyntaxTree.ParseText(code, ScriptParse);
        if (!SyntaxFactory.IsCompleteSubmission(tree))
            return new Completeness("incomplete", new string(' ', 4 * Math.Max(0, OpenBraces(tree))));
        return tree.GetDiagnostics().Any(d => d.Severity == DiagnosticSeverity.Error)
            ? new Completeness("invalid")
            : new Completeness("complete");
    }

    public static Completions Complete(NotebookEngine engine, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var start = cursor;
        while (start > 0 && SyntaxFacts.IsIdentifierPartCharacter(code[start - 1]))
            start--;
        var prefix = code[start..cursor];
        var (model, tree) = Analyse(engine, code);

        IEnumerable<ISymbol> symbols;
        var keywords = Enumerable.Empty<string>();
        var dot = start > 0 && code[start - 1] == '.' ? tree.GetRoot().FindToken(start - 1) : default;
        if (dot.Parent is MemberAccessExpressionSyntax access)
            symbols = MembersOf(model, access.Expression, start);
        else if (dot.Parent is QualifiedNameSyntax qualified)
            symbols = MembersOf(model, qualified.Left, start);
        else
        {
            symbols = model.LookupSymbols(start);
            keywords = Keywords;
        }

        var items = symbols
            .Where(s => s.CanBeReferencedByName && !s.IsImplicitlyDeclared)
            .Select(s => new CompletionItem(s.Name, Kind(s)))
            .Concat(keywords.Select(k => new CompletionItem(k, "keyword")))
            .Where(i => i.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .DistinctBy(i => i.Text)
            .OrderBy(i => i.Text, StringComparer.OrdinalIgnoreCase).ThenBy(i => i.Text, StringComparer.Ordinal)
            .Take(MaxCompletions)
            .ToList();
        return new Completions(items, start, cursor);
    }

    /// <summary>What the name at the cursor is: its kind and signature, with the number of overloads.</summary>
    public static string? Inspect(NotebookEngine engine, string code, int cursor)
    {
        cursor = Math.Clamp(cursor, 0, code.Length);
        var (model, tree) = Analyse(engine, code);
        var at = cursor > 0 && (cursor == code.Length || !SyntaxFacts.IsIdentifierPartCharacter(code[cursor])) ? cursor - 1 : cursor;
        var node = tree.GetRoot().FindToken(at).Parent;
        if (node is null)
            return null;
        var info = model.GetSymbolInfo(node);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault() ?? model.GetDeclaredSymbol(node) ?? model.GetTypeInfo(node).Type;
        if (symbol is null || symbol is IErrorTypeSymbol)
            return null;
        var text = new StringBuilder($"({Kind(symbol)}) {symbol.ToDisplayString(Signature)}");
        var overloads = symbol is IMethodSymbol && symbol.ContainingType is { } type ? type.GetMembers(symbol.Name).OfType<IMethodSymbol>().Count() - 1 : 0;
        if (overloads > 0)
            text.Append($" (+{overloads} overload{(overloads == 1 ? "" : "s")})");
        return text.ToString();
    }

    /// <summary>The semantic model of the cell as it would run now, after the cells so far.</summary>
    private static (SemanticModel Model, SyntaxTree Tree) Analyse(NotebookEngine engine, string code)
    {
        var compilation = engine.Prepare(code).GetCompilation();
        var tree = compilation.SyntaxTrees.Last();
        return (compilation.GetSemanticModel(tree), tree);
    }

    /// <summary>After "x.": a type's or namespace's static members and nested types, or a value's instance members and extensions.</summary>
    private static IEnumerable<ISymbol> MembersOf(SemanticModel model, ExpressionSyntax expression, int position)
    {
        if (model.GetSymbolInfo(expression).Symbol is INamespaceOrTypeSymbol container)
            return model.LookupSymbols(position, container).Where(s => container is INamespaceSymbol || s.IsStatic || s is ITypeSymbol);
        return model.GetTypeInfo(expression).Type is { } type and not IErrorTypeSymbol
            ? model.LookupSymbols(position, type, includeReducedExtensionMethods: true).Where(s => !s.IsStatic || s is IMethodSymbol { MethodKind: MethodKind.ReducedExtension })
            : [];
    }

    private static string Kind(ISymbol symbol) => symbol switch
    {
        INamespaceSymbol => "namespace",
        ITypeSymbol { TypeKind: TypeKind.Interface } => "interface",
        ITypeSymbol { TypeKind: TypeKind.Enum } => "enum",
        ITypeSymbol { TypeKind: TypeKind.Struct } => "struct",
        ITypeSymbol => "class",
        IMethodSymbol => "method",
        IPropertySymbol => "property",
        IFieldSymbol { ContainingType.IsScriptClass: true } => "variable",
        IFieldSymbol => "field",
        IEventSymbol => "event",
        ILocalSymbol => "variable",
        IParameterSymbol => "parameter",
        _ => symbol.Kind.ToString().ToLowerInvariant(),
    };

    private static int OpenBraces(SyntaxTree tree)
    {
        var depth = 0;
        foreach (var token in tree.GetRoot().DescendantTokens())
        {
            if (token.IsMissing)
                continue;
            if (token.IsKind(SyntaxKind.OpenBraceToken))
                depth++;
            else if (token.IsKind(SyntaxKind.CloseBraceToken))
                depth--;
        }
        return depth;
    }
}
