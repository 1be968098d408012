namespace EsDr.Recovery.Tests.Support;

/// <summary>Reading a pulumi argument list.</summary>
internal static class PulumiArgs
{
    /// <summary>The values of every <paramref name="flag"/> in an argument list.</summary>
    public static IReadOnlyList<string> Values(IReadOnlyList<string> args, string flag) =>
        args.Zip(args.Skip(1)).Where(p => p.First == flag).Select(p => p.Second).ToList();

    /// <summary>The logical names of the <c>--target</c> URNs (what follows the last <c>::</c>).</summary>
    public static HashSet<string> TargetNames(IReadOnlyList<string> args) =>
        Values(args, "--target").Select(u => u[(u.LastIndexOf("::", StringComparison.Ordinal) + 2)..]).ToHashSet(StringComparer.Ordinal);
}
