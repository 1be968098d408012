namespace EsDr.Infra.Schemas;

/// <summary>
/// Checks literal values against the schema: property names (through nested object types, arrays and maps),
/// required inputs, primitive types and enums. Expressions are not type-checked, only walked for references.
/// </summary>
internal sealed class PropertyChecker(ReferenceChecker references)
{
    private const string LocalTypePrefix = "#/types/";
    private const string PulumiAny = "pulumi.json#/Any";
    private const string PulumiAsset = "pulumi.json#/Asset";
    private const string PulumiArchive = "pulumi.json#/Archive";

    /// <summary>Checks a map of properties against <paramref name="properties"/>, and that every required one is set.</summary>
    public void CheckObject(
        string where,
        ProgramValue value,
        IReadOnlyDictionary<string, PropertySpec> properties,
        IReadOnlyList<string> required,
        PackageSchema package,
        ProblemList problems)
    {
        if (ReferenceChecker.IsExpression(value))
        {
            references.Walk(where, value, problems);
            return;
        }

        if (value is not MapValue map)
        {
            problems.Add(where, $"expected an object, got {value.Describe()}");
            references.Walk(where, value, problems);
            return;
        }

        foreach (var entry in map.Entries)
        {
            var at = $"{where}.{entry.Key}";
            if (properties.TryGetValue(entry.Key, out var spec))
            {
                Check(at, entry.Value, spec, package, problems);
            }
            else
            {
                problems.Add(at, $"unknown property '{entry.Key}'{NameSuggestion.Hint(entry.Key, properties.Keys)}");
                references.Walk(at, entry.Value, problems);
            }
        }

        foreach (var name in required)
        {
            if (map[name] is null or ScalarValue { Kind: ScalarKind.Null })
            {
                problems.Add(where, $"missing required input '{name}'");
            }
        }
    }

    /// <summary>Checks one value against one property's shape.</summary>
    public void Check(string where, ProgramValue value, PropertySpec spec, PackageSchema package, ProblemList problems)
    {
        if (value is ScalarValue { Kind: ScalarKind.Null })
        {
            return;
        }

        if (ReferenceChecker.IsExpression(value))
        {
            references.Walk(where, value, problems);
            CheckReferencedValueType(where, value, spec, problems);
            return;
        }

        if (spec.OneOf.Count > 0)
        {
            CheckOneOf(where, value, spec.OneOf, package, problems);
            return;
        }

        if (spec.Ref is { } reference)
        {
            CheckReferencedType(where, value, reference, package, problems);
            return;
        }

        switch (spec.Type)
        {
            case "string":
                CheckString(where, value, spec.Enum, problems);
                break;
            case "integer" or "number":
                CheckNumber(where, value, spec.Type, problems);
                break;
            case "boolean":
                CheckBoolean(where, value, problems);
                break;
            case "array":
                CheckArray(where, value, spec.Items, package, problems);
                break;
            case "object":
                CheckMap(where, value, spec.AdditionalProperties, package, problems);
                break;
            default:
                references.Walk(where, value, problems);
                break;
        }
    }

    /// <summary>
    /// Pulumi YAML type-checks references although it converts nothing but numbers and booleans to strings:
    /// <c>${server.id}</c> (a string) cannot go where an integer is expected.
    /// </summary>
    private void CheckReferencedValueType(string where, ProgramValue value, PropertySpec spec, ProblemList problems)
    {
        if (spec is not { Ref: null, OneOf.Count: 0, Type: "integer" or "number" or "boolean" }
            || value is not ScalarValue { IsString: true } text
            || text.Interpolated is not { IsSingleExpression: true } parsed
            || references.TypeOf(parsed.Interpolations[0]) is not { } actual)
        {
            return;
        }

        var assignable = spec.Type == "boolean" ? actual == "boolean" : actual is "integer" or "number";
        if (!assignable)
        {
            problems.Add(where, $"{parsed.Interpolations[0].Source} is {Article(actual)} {actual}, but this property takes {Article(spec.Type)} {spec.Type}; Pulumi YAML does not convert it");
        }
    }

    private static string Article(string type) => type is "integer" ? "an" : "a";

    private void CheckReferencedType(string where, ProgramValue value, string reference, PackageSchema package, ProblemList problems)
    {
        switch (reference)
        {
            case PulumiAsset or PulumiArchive:
                // Assets and archives are only ever made by fn::*Asset / fn::*Archive, which are expressions.
                problems.Add(where, $"expected an {(reference == PulumiAsset ? "asset" : "archive")} (fn::stringAsset, fn::fileAsset, fn::fileArchive, …), got {value.Describe()}");
                references.Walk(where, value, problems);
                return;
            case PulumiAny:
                references.Walk(where, value, problems);
                return;
        }

        if (!reference.StartsWith(LocalTypePrefix, StringComparison.Ordinal)
            || !package.Types.TryGetValue(reference[LocalTypePrefix.Length..], out var type))
        {
            // A type of another package, or a resource reference: nothing here to check it against.
            references.Walk(where, value, problems);
            return;
        }

        if (type.IsObject)
        {
            CheckObject(where, value, type.Properties, type.Required, package, problems);
        }
        else
        {
            Check(where, value, new PropertySpec(type.Type, null, null, null, [], type.Enum), package, problems);
        }
    }

    /// <summary>A union accepts a value that one of its alternatives accepts; otherwise the closest alternative's complaints stand.</summary>
    private void CheckOneOf(string where, ProgramValue value, IReadOnlyList<PropertySpec> alternatives, PackageSchema package, ProblemList problems)
    {
        ProblemList? best = null;
        foreach (var alternative in alternatives.Where(a => IsResolvable(a, package)))
        {
            var attempt = new ProblemList();
            Check(where, value, alternative, package, attempt);
            if (attempt.Count == 0)
            {
                return;
            }

            if (best is null || attempt.Count < best.Count)
            {
                best = attempt;
            }
        }

        if (best is null)
        {
            references.Walk(where, value, problems);
        }
        else
        {
            problems.AddRange(best);
        }
    }

    /// <summary>Whether a union alternative can be checked here (some name a resource class rather than a schema type).</summary>
    private static bool IsResolvable(PropertySpec alternative, PackageSchema package) =>
        alternative.Ref is not { } reference
        || !reference.StartsWith(LocalTypePrefix, StringComparison.Ordinal)
        || package.Types.ContainsKey(reference[LocalTypePrefix.Length..]);

    private void CheckString(string where, ProgramValue value, IReadOnlyList<string> allowed, ProblemList problems)
    {
        if (value is not ScalarValue scalar)
        {
            // Numbers and booleans are fine: Pulumi YAML converts them to strings.
            problems.Add(where, $"expected a string, got {value.Describe()}");
            references.Walk(where, value, problems);
            return;
        }

        var hasInterpolations = scalar.IsString && references.CheckString(where, scalar, problems).HasInterpolations;
        if (allowed.Count > 0 && !hasInterpolations && !allowed.Contains(scalar.Text, StringComparer.Ordinal))
        {
            problems.Add(where, $"'{scalar.Text}' is not one of {string.Join(", ", allowed.Take(20).Select(a => $"'{a}'"))}{(allowed.Count > 20 ? ", …" : string.Empty)}");
        }
    }

    private void CheckNumber(string where, ProgramValue value, string type, ProblemList problems)
    {
        var wanted = type == "integer" ? "an integer" : "a number";
        switch (value)
        {
            case ScalarValue { Kind: ScalarKind.Integer }:
                return;
            case ScalarValue { Kind: ScalarKind.Float } number:
                if (type == "integer" && !ProgramText.IsWholeNumber(number))
                {
                    problems.Add(where, $"expected {wanted}, got {number.Describe()}");
                }

                return;
            case ScalarValue { IsString: true } text when references.CheckString(where, text, problems).HasInterpolations:
                problems.Add(where, $"expected {wanted}, got a string built by interpolation (use a single ${{…}} to pass a number through)");
                return;
            default:
                problems.Add(where, $"expected {wanted}, got {value.Describe()}");
                references.Walk(where, value, problems);
                return;
        }
    }

    private void CheckBoolean(string where, ProgramValue value, ProblemList problems)
    {
        if (value is ScalarValue { Kind: ScalarKind.Boolean })
        {
            return;
        }

        problems.Add(where, $"expected a boolean, got {value.Describe()}");
        references.Walk(where, value, problems);
    }

    private void CheckArray(string where, ProgramValue value, PropertySpec? items, PackageSchema package, ProblemList problems)
    {
        if (value is not ListValue list)
        {
            problems.Add(where, $"expected a list, got {value.Describe()}");
            references.Walk(where, value, problems);
            return;
        }

        for (var i = 0; i < list.Items.Count; i++)
        {
            if (items is null)
            {
                references.Walk($"{where}[{i}]", list.Items[i], problems);
            }
            else
            {
                Check($"{where}[{i}]", list.Items[i], items, package, problems);
            }
        }
    }

    private void CheckMap(string where, ProgramValue value, PropertySpec? values, PackageSchema package, ProblemList problems)
    {
        if (value is not MapValue map)
        {
            problems.Add(where, $"expected a map, got {value.Describe()}");
            references.Walk(where, value, problems);
            return;
        }

        if (values is null)
        {
            references.Walk(where, value, problems);
            return;
        }

        foreach (var entry in map.Entries)
        {
            Check($"{where}.{entry.Key}", entry.Value, values, package, problems);
        }
    }
}
