namespace EsDr.Infra.Schemas;

/// <summary>
/// One way a Pulumi YAML program disagrees with the provider schemas or with Pulumi YAML itself.
/// <see cref="Where"/> is the path of the offending value, e.g. <c>resources.fra-es-1.properties.metadatas[0].userdata</c>.
/// </summary>
public sealed record ProgramProblem(string Where, string Message)
{
    public override string ToString() => $"{Where}: {Message}";
}
