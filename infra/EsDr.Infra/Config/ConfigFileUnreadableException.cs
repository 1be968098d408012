namespace EsDr.Infra.Config;

/// <summary>
/// A file the compiler reads (a stack file, the project's Pulumi.yaml) does not exist, is not a regular file or
/// cannot be read; the message names it and says which (a control character in the path shown escaped). An
/// <see cref="IOException"/>, as reading it would have thrown.
/// </summary>
public sealed class ConfigFileUnreadableException(string path, string reason) : IOException(ConfigText.Escape($"{path}: {reason}"))
{
    public string Path { get; } = path;
}
