namespace EsDr.Infra.Config;

/// <summary>One problem with the stack config, located by its full key path (e.g. <c>es-dr:regions[1].elasticsearch.nodes</c>).</summary>
public sealed record ConfigError(string Path, string Message)
{
    /// <summary>With every character a terminal could act on (an escape sequence, a carriage return) shown escaped.</summary>
    public override string ToString() => ConfigText.Escape($"{Path}: {Message}");
}

/// <summary>Thrown when a stack config is invalid; carries every error found, not just the first.</summary>
public sealed class InvalidConfigException(IReadOnlyList<ConfigError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;
}
