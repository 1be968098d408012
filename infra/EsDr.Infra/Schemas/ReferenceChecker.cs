namespace EsDr.Infra.Schemas;

/// <summary>
/// Checks what values refer to: every <c>${…}</c> must name something declared (and, for a resource, one of its
/// outputs), and every <c>fn::</c> key must be a function Pulumi YAML has.
/// </summary>
internal sealed class ReferenceChecker(ProgramDeclarations declarations, ProviderSchemas schemas)
{
    public ProgramDeclarations Declarations => declarations;

    /// <summary>A value Pulumi YAML computes rather than takes literally: a string that is exactly one
    /// <c>${…}</c>, or a one-key map whose key is an <c>fn::</c> function.</summary>
    public static bool IsExpression(ProgramValue value) => value switch
    {
        // Only a string that starts with "${" can be one whole interpolation: the long ones never need parsing here.
        ScalarValue { IsString: true } text => text.Text.StartsWith("${", StringComparison.Ordinal) && text.Interpolated.IsSingleExpression,
        MapValue { Entries.Count: 1 } map => BuiltinFunctions.LooksLikeFunction(map.Entries[0].Key),
        _ => false,
    };

    /// <summary>Checks every reference and function anywhere inside <paramref name="value"/>.</summary>
    public void Walk(string where, ProgramValue? value, ProblemList problems)
    {
        switch (value)
        {
            case ScalarValue { IsString: true } text:
                CheckString(where, text, problems);
                break;
            case ListValue list:
                for (var i = 0; i < list.Items.Count; i++)
                {
                    Walk($"{where}[{i}]", list.Items[i], problems);
                }

                break;
            case MapValue map:
                foreach (var entry in map.Entries)
                {
                    var at = $"{where}.{entry.Key}";
                    if (BuiltinFunctions.LooksLikeFunction(entry.Key) && BuiltinFunctions.Problem(entry.Key) is { } problem)
                    {
                        problems.Add(at, problem);
                    }

                    Walk(at, entry.Value, problems);
                }

                break;
        }
    }

    /// <summary>Checks the interpolations of one string and returns what it parsed.</summary>
    public InterpolatedString CheckString(string where, ScalarValue text, ProblemList problems)
    {
        var parsed = text.Interpolated;
        if (parsed.SyntaxError is not null)
        {
            problems.Add(where, parsed.SyntaxError);
        }

        foreach (var interpolation in parsed.Interpolations)
        {
            CheckReference(where, interpolation, problems);
        }

        return parsed;
    }

    private void CheckReference(string where, Interpolation interpolation, ProblemList problems)
    {
        var root = interpolation.RootName;
        if (!declarations.IsDeclared(root))
        {
            problems.Add(where,
                $"{interpolation.Source} names nothing declared{NameSuggestion.Hint(root, declarations.AllNames)}"
                + " (a resource, variable, config key or pulumi; write $${ for a literal '${')");
            return;
        }

        if (interpolation.Path.Count < 2 || interpolation.Path[1].Name is not { } field)
        {
            return;
        }

        if (string.Equals(root, ProgramDeclarations.PulumiVariable, StringComparison.Ordinal))
        {
            if (!ProgramDeclarations.PulumiFields.Contains(field))
            {
                problems.Add(where, $"{interpolation.Source}: pulumi has no field '{field}'{NameSuggestion.Hint(field, ProgramDeclarations.PulumiFields)}");
            }

            return;
        }

        if (declarations.ResourceType(root) is { } token && schemas.FindResource(token) is { } resource && !resource.HasOutput(field))
        {
            problems.Add(where, $"{interpolation.Source}: {token} has no output '{field}'{NameSuggestion.Hint(field, resource.OutputNames)}");
        }
    }

    /// <summary>
    /// The primitive type (string, integer, number, boolean) of the value <c>${name}</c> or <c>${resource.output}</c>
    /// stands for, as Pulumi YAML's type checker sees it; <c>resource</c> for a bare resource; null when unknown.
    /// </summary>
    public string? TypeOf(Interpolation interpolation)
    {
        var root = interpolation.RootName;
        if (!declarations.IsResource(root))
        {
            return interpolation.Path.Count == 1 ? declarations.ValueType(root) : null;
        }

        if (interpolation.Path.Count == 1)
        {
            return "resource";
        }

        if (interpolation.Path.Count != 2 || interpolation.Path[1].Name is not { } field
            || declarations.ResourceType(root) is not { } token || schemas.FindResource(token) is not { } resource)
        {
            return null;
        }

        if (ResourceSchema.BuiltinOutputs.Contains(field))
        {
            return "string";
        }

        var spec = resource.Properties.GetValueOrDefault(field) ?? resource.InputProperties.GetValueOrDefault(field);
        return spec is { Ref: null, OneOf.Count: 0, Type: "string" or "integer" or "number" or "boolean" } ? spec.Type : null;
    }
}
