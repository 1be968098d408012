using System.Collections.Frozen;
using YamlDotNet.Core;

namespace EsDr.Infra.Schemas;

/// <summary>
/// Checks a Pulumi YAML (or JSON) program against the provider schemas before Pulumi ever sees it: resource types,
/// property names and literal types, required inputs, <c>${…}</c> references, functions and resource options.
/// </summary>
public static class ProgramValidator
{
    private static readonly FrozenSet<string> TopLevelKeys = FrozenSet.Create(StringComparer.Ordinal,
        "name", "runtime", "description", "config", "configuration", "variables", "resources", "outputs", "packages"
    );

    private static readonly FrozenSet<string> ResourceKeys = FrozenSet.Create(StringComparer.Ordinal,
        "type", "name", "defaultProvider", "properties", "options", "get"
    );

    /// <summary>Every problem found, in document order; empty when the program is valid.</summary>
    public static IReadOnlyList<ProgramProblem> Validate(string programYamlOrJson, ProviderSchemas schemas)
    {
        ArgumentNullException.ThrowIfNull(programYamlOrJson);
        ArgumentNullException.ThrowIfNull(schemas);

        ProgramValue? program;
        try
        {
            program = ProgramText.Parse(programYamlOrJson);
        }
        catch (YamlException e)
        {
            var invalid = new ProblemList();
            invalid.Add($"line {e.Start.Line}, column {e.Start.Column}", $"not valid YAML: {Innermost(e).Message}");
            return invalid.Items;
        }
        return Validate(program, schemas);
    }

    /// <summary>Every problem of a program already read (<see cref="Program.ProgramYamlWriter.AsRead"/>), in document order.</summary>
    internal static IReadOnlyList<ProgramProblem> Validate(ProgramValue? root, ProviderSchemas schemas)
    {
        var problems = new ProblemList();

        if (root is not MapValue program)
        {
            problems.Add("program", root is null ? "the program is empty" : $"the program must be a map, got {root.Describe()}");
            return problems.Items;
        }

        foreach (var entry in program.Entries.Where(e => !TopLevelKeys.Contains(e.Key)))
        {
            problems.Add(entry.Key, $"unknown top-level key '{entry.Key}'{NameSuggestion.Hint(entry.Key, TopLevelKeys)}");
        }

        foreach (var section in new[] { "config", "configuration", "variables", "resources", "outputs" })
        {
            if (program[section] is { } value and not MapValue and not ScalarValue { Kind: ScalarKind.Null })
            {
                problems.Add(section, $"must be a map of names to values, got {value.Describe()}");
            }
        }

        var declarations = ProgramDeclarations.Collect(program, problems);
        var references = new ReferenceChecker(declarations, schemas);
        var resources = new ResourceChecker(schemas, references, new PropertyChecker(references));

        foreach (var entry in Entries(program["variables"]))
        {
            references.Walk($"variables.{entry.Key}", entry.Value, problems);
        }

        // The resources are checked in two halves at once (each its own problems, joined in document order): the
        // declarations, schemas and parsed values they share are only read from here on.
        var all = Entries(program["resources"]);
        var half = all.Count >= ParallelFrom ? all.Count / 2 : all.Count;
        var secondHalf = half < all.Count ? Task.Run(() => CheckResources(resources, all, half, all.Count)) : null;
        problems.AddRange(CheckResources(resources, all, 0, half));
        if (secondHalf is not null) problems.AddRange(secondHalf.GetAwaiter().GetResult());

        foreach (var entry in Entries(program["outputs"]))
        {
            references.Walk($"outputs.{entry.Key}", entry.Value, problems);
        }

        return problems.Items;
    }

    private static IReadOnlyList<MapEntry> Entries(ProgramValue? section) => section is MapValue map ? map.Entries : [];

    // Below this many resources a second thread costs more than it saves.
    private const int ParallelFrom = 64;

    private static ProblemList CheckResources(ResourceChecker checker, IReadOnlyList<MapEntry> resources, int from, int to)
    {
        var problems = new ProblemList();
        for (var i = from; i < to; i++) checker.Check($"resources.{resources[i].Key}", resources[i].Value, problems);
        return problems;
    }

    private static Exception Innermost(Exception e) => e.InnerException is { } inner ? Innermost(inner) : e;

    /// <summary>Checks one resource: its keys, type, properties and options.</summary>
    private sealed class ResourceChecker(ProviderSchemas schemas, ReferenceChecker references, PropertyChecker properties)
    {
        public void Check(string where, ProgramValue value, ProblemList problems)
        {
            if (value is not MapValue resource)
            {
                problems.Add(where, $"a resource must be a map with a type, got {value.Describe()}");
                return;
            }

            foreach (var entry in resource.Entries.Where(e => !ResourceKeys.Contains(e.Key)))
            {
                problems.Add($"{where}.{entry.Key}", $"unknown resource key '{entry.Key}'{NameSuggestion.Hint(entry.Key, ResourceKeys)}");
            }

            CheckScalar($"{where}.name", resource["name"], ScalarKind.String, problems);
            CheckScalar($"{where}.defaultProvider", resource["defaultProvider"], ScalarKind.Boolean, problems);

            var token = resource["type"] is ScalarValue { IsString: true } type ? type.Text : null;
            var (package, schema) = token is null ? (null, null) : Resolve(where, token, problems);
            if (token is null)
            {
                problems.Add(where, "resource without a type");
            }

            var get = resource["get"];
            references.Walk($"{where}.get", get, problems);

            var props = resource["properties"];
            if (package is not null && schema is not null)
            {
                var isProvider = string.Equals(token, package.ProviderToken, StringComparison.Ordinal);

                // A provider's required settings may come from the environment; a `get` reads existing state.
                IReadOnlyList<string> required = isProvider || get is not null ? [] : schema.RequiredInputs;
                properties.CheckObject($"{where}.properties", props ?? new MapValue([]), schema.InputProperties, required, package, problems);
            }
            else
            {
                references.Walk($"{where}.properties", props, problems);
            }

            switch (resource["options"])
            {
                case MapValue options:
                    CheckOptions($"{where}.options", options, token, package, problems);
                    break;
                case null or ScalarValue { Kind: ScalarKind.Null }:
                    break;
                case var other:
                    problems.Add($"{where}.options", $"options must be a map, got {other.Describe()}");
                    break;
            }

            CheckPluginSource($"{where}.options.pluginDownloadURL", resource["options"] as MapValue, package, problems);
        }

        /// <summary>
        /// pulumi-yaml takes a package's plugin source from the first of its resources (GetReferencedPackages), so
        /// each resource of a package Pulumi does not host must name it, or a fresh machine cannot install the plugin.
        /// </summary>
        private static void CheckPluginSource(string where, MapValue? options, PackageSchema? package, ProblemList problems)
        {
            if (package?.PluginDownloadUrl is not { } url) return;
            if (options?["pluginDownloadURL"] is ScalarValue { IsString: true } given && string.Equals(given.Text, url, StringComparison.Ordinal)) return;
            problems.Add(where, $"{package.Name} is not hosted by Pulumi: every {package.Name} resource needs pluginDownloadURL '{url}', or pulumi cannot install its plugin");
        }

        private (PackageSchema? Package, ResourceSchema? Schema) Resolve(string where, string token, ProblemList problems)
        {
            var packageName = ProviderSchemas.PackageOf(token);
            if (!schemas.Packages.TryGetValue(packageName, out var package))
            {
                problems.Add($"{where}.type", $"no schema for package '{packageName}' (type '{token}'); known packages: {string.Join(", ", schemas.Packages.Keys.Order(StringComparer.Ordinal))}");
                return (null, null);
            }

            if (schemas.FindResource(token) is { } schema)
            {
                return (package, schema);
            }

            problems.Add($"{where}.type", $"type '{token}' is not in the {package.Name} {package.Version} schema{TypeHint(token, package)}");
            return (package, null);
        }

        /// <summary>Suggests the canonical token for a shorthand (<c>linode:index:Instance</c>) or a misspelling.</summary>
        private static string TypeHint(string token, PackageSchema package)
        {
            var parts = token.Split(':');
            if (parts.Length == 3 && !parts[1].Contains('/', StringComparison.Ordinal) && parts[2].Length > 0)
            {
                var name = parts[2];
                var canonical = $"{parts[0]}:{parts[1]}/{char.ToLowerInvariant(name[0])}{name[1..]}:{name}";
                if (package.Resources.ContainsKey(canonical))
                {
                    return $" (write the full token '{canonical}')";
                }
            }

            return NameSuggestion.Hint(token, package.Resources.Keys);
        }

        private static readonly FrozenSet<string> OptionKeys = FrozenSet.Create(StringComparer.Ordinal,
            "additionalSecretOutputs", "aliases", "customTimeouts", "deleteBeforeReplace", "dependsOn", "ignoreChanges",
            "import", "parent", "protect", "provider", "providers", "version", "pluginDownloadURL", "replaceOnChanges",
            "retainOnDelete", "replaceWith", "deletedWith", "hideDiffs"
        );

        private static readonly FrozenSet<string> BooleanOptions = FrozenSet.Create(StringComparer.Ordinal,
            "deleteBeforeReplace", "protect", "retainOnDelete"
        );

        private static readonly FrozenSet<string> StringOptions = FrozenSet.Create(StringComparer.Ordinal,
            "import", "version", "pluginDownloadURL"
        );

        private static readonly FrozenSet<string> StringListOptions = FrozenSet.Create(StringComparer.Ordinal,
            "additionalSecretOutputs", "ignoreChanges", "replaceOnChanges", "hideDiffs"
        );

        private static readonly FrozenSet<string> TimeoutKeys = FrozenSet.Create(StringComparer.Ordinal, "create", "update", "delete");

        private void CheckOptions(string where, MapValue options, string? token, PackageSchema? package, ProblemList problems)
        {
            foreach (var (key, value) in options.Entries.Select(e => (e.Key, e.Value)))
            {
                var at = $"{where}.{key}";
                if (!OptionKeys.Contains(key))
                {
                    problems.Add(at, $"unknown resource option '{key}'{NameSuggestion.Hint(key, OptionKeys)}");
                }

                references.Walk(at, value, problems);
                if (ReferenceChecker.IsExpression(value) && key is not ("provider" or "version"))
                {
                    continue;
                }

                if (BooleanOptions.Contains(key))
                {
                    CheckScalar(at, value, ScalarKind.Boolean, problems);
                }
                else if (StringOptions.Contains(key))
                {
                    CheckScalar(at, value, ScalarKind.String, problems);
                }
                else if (StringListOptions.Contains(key) && value is not (ListValue or ScalarValue { Kind: ScalarKind.Null }))
                {
                    problems.Add(at, $"expected a list of strings, got {value.Describe()}");
                }
                else if (key == "customTimeouts")
                {
                    CheckTimeouts(at, value, problems);
                }
                else if (key is "dependsOn" or "parent" or "deletedWith")
                {
                    CheckResourceReferences(at, value, problems);
                }
            }

            if (token is null || package is null)
            {
                return;
            }

            if (options["version"] is ScalarValue { IsString: true } version
                && !string.Equals(version.Text, package.Version, StringComparison.Ordinal))
            {
                problems.Add($"{where}.version", $"version '{version.Text}' is not the pinned {package.Name} version {package.Version}");
            }

            if (options["provider"] is { } provider and not ScalarValue { Kind: ScalarKind.Null })
            {
                CheckProviderReference($"{where}.provider", provider, package, problems);
            }
        }

        /// <summary><c>options.provider</c> must be <c>${name}</c> of a declared <c>pulumi:providers:&lt;same package&gt;</c> resource.</summary>
        private void CheckProviderReference(string where, ProgramValue value, PackageSchema package, ProblemList problems)
        {
            var parsed = value is ScalarValue { IsString: true } text ? text.Interpolated : null;
            if (parsed is not { IsSingleExpression: true } || parsed.Interpolations[0].Path.Count != 1)
            {
                problems.Add(where, $"must be a reference to a provider resource, like ${{my-{package.Name}-provider}}, got {value.Describe()}");
                return;
            }

            var name = parsed.Interpolations[0].RootName;
            var declarations = references.Declarations;
            if (!declarations.IsDeclared(name))
            {
                return; // already reported as an undeclared name
            }

            if (!declarations.IsResource(name))
            {
                problems.Add(where, $"'{name}' is not a resource; the provider must be a declared {package.ProviderToken} resource");
                return;
            }

            var type = declarations.ResourceType(name);
            if (!string.Equals(type, package.ProviderToken, StringComparison.Ordinal))
            {
                problems.Add(where, $"'{name}' is a {type ?? "resource without a type"}, not a {package.ProviderToken}");
            }
        }

        /// <summary>
        /// <c>dependsOn</c> (a list), <c>parent</c> and <c>deletedWith</c> take resources, written <c>${name}</c>;
        /// a bare name is a plain string to Pulumi YAML and fails at deploy time.
        /// </summary>
        private void CheckResourceReferences(string where, ProgramValue value, ProblemList problems)
        {
            var items = value is ListValue list ? list.Items.Select((v, i) => ($"{where}[{i}]", v)) : [(where, value)];
            foreach (var (at, item) in items)
            {
                var parsed = item is ScalarValue { IsString: true } text ? text.Interpolated : null;
                if (parsed is not { IsSingleExpression: true } || parsed.Interpolations[0].Path.Count != 1)
                {
                    problems.Add(at, $"must be a resource reference like ${{name}}, got {item.Describe()}");
                }
                else if (references.Declarations.IsDeclared(parsed.Interpolations[0].RootName) && !references.Declarations.IsResource(parsed.Interpolations[0].RootName))
                {
                    problems.Add(at, $"'{parsed.Interpolations[0].RootName}' is not a resource");
                }
            }
        }

        private static void CheckTimeouts(string where, ProgramValue value, ProblemList problems)
        {
            if (value is not MapValue timeouts)
            {
                problems.Add(where, $"expected a map of create/update/delete timeouts, got {value.Describe()}");
                return;
            }

            foreach (var entry in timeouts.Entries)
            {
                if (!TimeoutKeys.Contains(entry.Key))
                {
                    problems.Add($"{where}.{entry.Key}", $"unknown timeout '{entry.Key}' (create, update or delete)");
                }
                else
                {
                    CheckScalar($"{where}.{entry.Key}", entry.Value, ScalarKind.String, problems);
                }
            }
        }

        private static void CheckScalar(string where, ProgramValue? value, ScalarKind kind, ProblemList problems)
        {
            if (value is null or ScalarValue { Kind: ScalarKind.Null } || ReferenceChecker.IsExpression(value))
            {
                return;
            }

            if (value is not ScalarValue scalar || scalar.Kind != kind)
            {
                problems.Add(where, $"expected a {(kind == ScalarKind.Boolean ? "boolean" : "string")}, got {value.Describe()}");
            }
        }
    }
}
