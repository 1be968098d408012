namespace EsDr.Infra.Program;

/// <summary>
/// A Pulumi YAML program as data. Values are plain trees: string, int, long, bool, double,
/// <see cref="IReadOnlyList{T}"/> of values, and <see cref="PMap"/> (an insertion-ordered map). A string
/// containing <c>${…}</c> is a Pulumi interpolation; use <see cref="Ref"/> to build one.
/// </summary>
public sealed class PulumiProgram(string name)
{
    public string Name { get; } = name;
    public PMap Config { get; } = new();
    public PMap Variables { get; } = new();
    public List<ProgramResource> Resources { get; } = [];
    public PMap Outputs { get; } = new();

    public ProgramResource Add(string logicalName, string type, PMap properties, ResourceOptions? options = null)
    {
        if (Resources.Any(r => r.Name == logicalName))
            throw new InvalidOperationException($"resource '{logicalName}' is declared twice");
        var resource = new ProgramResource(logicalName, type, properties, options ?? new ResourceOptions());
        Resources.Add(resource);
        return resource;
    }

    public string Variable(string name, object value)
    {
        Variables.Add(name, value);
        return $"${{{name}}}";
    }

    /// <summary>
    /// Declares a secret config key of the project's namespace (Pulumi decrypts it at deploy time; the value never
    /// appears in the program) and returns a reference to it wrapped in <c>fn::secret</c>, the only way the program
    /// reads it. The wrap is what keeps it secret: pulumi-yaml registers the stack's own value ahead of this
    /// declaration, secret only when stored with <c>--secret</c>, and then skips the declaration's <c>secret: true</c>
    /// (pkg/pulumiyaml/run.go, "config already registered").
    /// </summary>
    public string SecretConfig(string key)
    {
        var wrapped = SecretVariableName(key);
        if (!Config.ContainsKey(key))
        {
            Config.Add(key, new PMap { { "type", "string" }, { "secret", true } });
            Variables.Add(wrapped, new PMap { { "fn::secret", $"${{{key}}}" } });
        }
        return $"${{{wrapped}}}";
    }

    /// <summary>The variable holding a secret config key wrapped in <c>fn::secret</c>: <c>deployKey</c> → <c>deployKey-secret</c>.</summary>
    public static string SecretVariableName(string key) => $"{key}-secret";

    public ProgramResource Resource(string logicalName) => Resources.Single(r => r.Name == logicalName);
}

public sealed record ProgramResource(string Name, string Type, PMap Properties, ResourceOptions Options)
{
    /// <summary>An interpolation of one of this resource's outputs, e.g. <c>${fra-es-1.ipAddress}</c>.</summary>
    public string Out(string output) => Ref.To(Name, output);

    /// <summary>The resource itself (its id) as an interpolation.</summary>
    public string Self => $"${{{Name}}}";

    /// <summary>The package a type token belongs to: <c>linode</c> for <c>linode:index/instance:Instance</c>, <c>aws</c> for <c>pulumi:providers:aws</c>.</summary>
    public string Package => Type.StartsWith("pulumi:providers:", StringComparison.Ordinal) ? Type["pulumi:providers:".Length..] : Type.Split(':')[0];
}

/// <summary>Resource options we use. Null means "not set" and is not written.</summary>
public sealed record ResourceOptions
{
    public string? Provider { get; init; }
    /// <summary>Logical names of resources this one waits for; written as <c>${name}</c> references.</summary>
    public IReadOnlyList<string>? DependsOn { get; init; }
    public IReadOnlyList<string>? IgnoreChanges { get; init; }
    public IReadOnlyList<string>? AdditionalSecretOutputs { get; init; }
    public bool? DeleteBeforeReplace { get; init; }
    public bool? Protect { get; init; }
    public string? Version { get; init; }
    /// <summary>Where Pulumi installs the package's plugin from when Pulumi does not host it (see <see cref="ProviderPackages.DownloadUrls"/>).</summary>
    public string? PluginDownloadUrl { get; init; }
}

/// <summary>Interpolation helpers. Every <c>${</c> in a program comes from here.</summary>
public static class Ref
{
    public static string To(string resource, string output) => $"${{{resource}.{output}}}";

    /// <summary>
    /// Literal text as program text: every <c>$</c> doubled. pulumi-yaml reads each value string, and each key of a map
    /// inside a value, left to right: <c>$$</c> is one <c>$</c>, <c>${</c> opens a reference to a resource, variable or
    /// config key, anything else is itself (pkg/pulumiyaml/ast/interpolation.go, <c>parseInterpolate</c>); it writes a
    /// literal back the same way (<c>InterpolateExpr.String</c>). Doubling only <c>${</c> is not enough: <c>$${x}</c>
    /// would become <c>$$${x}</c>, a <c>$</c> followed by the reference <c>${x}</c>.
    /// </summary>
    public static string Literal(string text) => text.Replace("$", "$$", StringComparison.Ordinal);

    /// <summary>
    /// The text Pulumi makes of program text that holds no reference (the inverse of <see cref="Literal"/>), or null when
    /// it holds one (<c>${</c> not preceded by an escaping <c>$</c>), whose value is known only at deploy time.
    /// </summary>
    public static string? AsLiteral(string programText)
    {
        ArgumentNullException.ThrowIfNull(programText);
        var text = new System.Text.StringBuilder(programText.Length);
        for (var i = 0; i < programText.Length; i++)
        {
            if (programText[i] != '$' || i + 1 == programText.Length) { text.Append(programText[i]); continue; }
            if (programText[i + 1] == '{') return null;
            text.Append('$');
            if (programText[i + 1] == '$') i++;
        }
        return text.ToString();
    }
}

/// <summary>An insertion-ordered string-keyed map, so emitted programs keep a reviewable, stable order.</summary>
public sealed class PMap : IEnumerable<KeyValuePair<string, object>>
{
    private readonly List<KeyValuePair<string, object>> _entries = [];

    public int Count => _entries.Count;

    public void Add(string key, object value)
    {
        if (ContainsKey(key)) throw new InvalidOperationException($"key '{key}' is set twice");
        _entries.Add(new(key, value));
    }

    /// <summary>Adds only when the value is not null, so optional settings read naturally at the call site.</summary>
    public PMap AddIf(string key, object? value)
    {
        if (value is not null) Add(key, value);
        return this;
    }

    public bool ContainsKey(string key) => _entries.Exists(e => e.Key == key);

    public object this[string key]
    {
        get => _entries.First(e => e.Key == key).Value;
        set
        {
            var i = _entries.FindIndex(e => e.Key == key);
            if (i < 0) _entries.Add(new(key, value)); else _entries[i] = new(key, value);
        }
    }

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _entries.GetEnumerator();
    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
