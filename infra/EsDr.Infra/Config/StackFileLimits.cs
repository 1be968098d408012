namespace EsDr.Infra.Config;

/// <summary>
/// What a stack file (and the project's Pulumi.yaml) may be, so no file can hang the compiler, overflow its stack or
/// take its memory: real ones are a few kilobytes, a dozen levels deep, a few hundred values (docs/limits.md).
/// </summary>
public static class StackFileLimits
{
    /// <summary>The largest file read; a bigger one is refused before it is parsed.</summary>
    public const int MaxBytes = 1 << 20;

    /// <summary>How deeply maps and lists may nest, the document's own map counting as the first level.</summary>
    public const int MaxDepth = 64;

    /// <summary>How many values (scalars, maps and lists) the document may hold once its aliases are expanded.</summary>
    public const int MaxValues = 100_000;

    /// <summary>How much scalar text the document may hold once its aliases are expanded: no more than the file could.</summary>
    public const int MaxTextChars = MaxBytes;
}
