namespace EsDr.Infra.Compilation;

/// <summary>A file rendered for a host, shown by <c>es-dr show --files</c>; may contain Pulumi interpolations.</summary>
public sealed record RenderedFile(string Region, string Host, string Path, string Text);
