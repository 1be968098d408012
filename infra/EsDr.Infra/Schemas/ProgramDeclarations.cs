namespace EsDr.Infra.Schemas;

/// <summary>The problems found so far, in document order.</summary>
internal sealed class ProblemList
{
    private readonly List<ProgramProblem> _problems = [];

    public int Count => _problems.Count;

    public IReadOnlyList<ProgramProblem> Items => _problems;

    public void Add(string where, string message) => _problems.Add(new ProgramProblem(where, message));

    public void AddRange(ProblemList other) => _problems.AddRange(other._problems);
}

/// <summary>The names a program declares, which are what <c>${…}</c> may refer to.</summary>
internal sealed class ProgramDeclarations
{
    /// <summary>The name of Pulumi YAML's built-in variable (<c>${pulumi.stack}</c>) and its fields.</summary>
    public const string PulumiVariable = "pulumi";

    public static IReadOnlySet<string> PulumiFields { get; } =
        new HashSet<string>(StringComparer.Ordinal) { "cwd", "organization", "project", "rootDirectory", "stack" };

    private readonly Dictionary<string, string?> _resourceTypes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _variables = new(StringComparer.Ordinal);
    private readonly HashSet<string> _config = new(StringComparer.Ordinal);
    private readonly HashSet<string> _declared = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _valueTypes = new(StringComparer.Ordinal);

    /// <summary>Collects the declarations of <paramref name="program"/>, reporting names declared twice.</summary>
    public static ProgramDeclarations Collect(MapValue program, ProblemList problems)
    {
        var declarations = new ProgramDeclarations();
        foreach (var section in new[] { "config", "configuration" })
        {
            foreach (var entry in Entries(program[section]))
            {
                declarations.Declare($"{section}.{entry.Key}", entry.Key, problems);
                declarations._config.Add(entry.Key);
                declarations._valueTypes[entry.Key] = ConfigType(entry.Value);
            }
        }

        foreach (var entry in Entries(program["variables"]))
        {
            declarations.Declare($"variables.{entry.Key}", entry.Key, problems);
            declarations._variables.Add(entry.Key);
        }

        foreach (var entry in Entries(program["resources"]))
        {
            declarations.Declare($"resources.{entry.Key}", entry.Key, problems);
            var type = entry.Value is MapValue resource && resource["type"] is ScalarValue { IsString: true } token ? token.Text : null;
            declarations._resourceTypes[entry.Key] = type;
        }

        return declarations;
    }

    public IEnumerable<string> AllNames =>
        _resourceTypes.Keys.Concat(_variables).Concat(_config).Append(PulumiVariable);

    public IEnumerable<string> ResourceNames => _resourceTypes.Keys;

    public bool IsDeclared(string name) =>
        _resourceTypes.ContainsKey(name) || _variables.Contains(name) || _config.Contains(name)
        || string.Equals(name, PulumiVariable, StringComparison.Ordinal);

    public bool IsResource(string name) => _resourceTypes.ContainsKey(name);

    /// <summary>The type token of a declared resource; null when it is not a resource or has no usable type.</summary>
    public string? ResourceType(string name) => _resourceTypes.GetValueOrDefault(name);

    /// <summary>The primitive type (string, integer, number, boolean) of a config key or variable, when it is evident.</summary>
    public string? ValueType(string name) => _valueTypes.GetValueOrDefault(name);

    /// <summary>A config declaration's type: its <c>type</c> (String, Integer, Boolean, Number, any case), else its default's.</summary>
    private static string? ConfigType(ProgramValue declaration)
    {
        if (declaration is not MapValue map)
        {
            return LiteralType(declaration);
        }

        if (map["type"] is ScalarValue { IsString: true } type)
        {
            return type.Text.ToUpperInvariant() switch
            {
                "STRING" => "string",
                "INTEGER" or "INT" => "integer",
                "NUMBER" => "number",
                "BOOLEAN" or "BOOL" => "boolean",
                _ => null,
            };
        }

        return map["default"] is { } defaultValue ? LiteralType(defaultValue) : null;
    }

    /// <summary>The type of a literal scalar (a string with interpolations is still a string); null for anything else.</summary>
    private static string? LiteralType(ProgramValue value) => value switch
    {
        ScalarValue { Kind: ScalarKind.String } => "string",
        ScalarValue { Kind: ScalarKind.Integer } => "integer",
        ScalarValue { Kind: ScalarKind.Float } => "number",
        ScalarValue { Kind: ScalarKind.Boolean } => "boolean",
        _ => null,
    };

    private static IReadOnlyList<MapEntry> Entries(ProgramValue? section) => section is MapValue map ? map.Entries : [];

    private void Declare(string where, string name, ProblemList problems)
    {
        if (string.Equals(name, PulumiVariable, StringComparison.Ordinal))
        {
            problems.Add(where, $"'{PulumiVariable}' is the name of Pulumi's built-in variable and cannot be declared");
        }
        else if (!_declared.Add(name))
        {
            problems.Add(where, $"'{name}' is declared more than once (resources, variables and config share one namespace)");
        }
    }
}
