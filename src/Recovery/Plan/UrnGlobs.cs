namespace EsDr.Recovery.Plan;

/// <summary>
/// Few URN globs that select exactly a set of resources among a program's. Pulumi's globs
/// (pkg/resource/deploy/deployment.go, <c>NewUrnTargets</c> and <c>UrnTargets.getMatcher</c>): an argument holding
/// <c>*</c> is a glob, anchored at both ends, where <c>**</c> is any text and <c>*</c> any text without <c>:</c>.
/// A URN ends <c>::TYPE::NAME</c> and a name holds no <c>:</c>, so <c>urn:pulumi:S::P::**::fra-es-*</c> is every
/// resource whose name starts with <c>fra-es-</c>, of any type, and <c>urn:pulumi:S::P::**::fra-db</c> the one named
/// <c>fra-db</c>.
/// </summary>
/// <remarks>
/// A region's name is no safe prefix of its resources: other resources carry it too (<c>fra-elastic-password</c>,
/// <c>fra-lb-config-push</c>, <c>dns-fra-search</c> are not the region's), one region's name can start another's
/// (<c>eu</c>, <c>eu-west</c>), and a region's generation lengthens its key (<c>fra-gen2-…</c>). So a prefix is used
/// only where every resource of the program it selects is in the set, and it always ends at a <c>-</c>, so it names
/// whole words of the names; a name no such prefix covers, or that it would cover alone, is named in full.
/// </remarks>
internal static class UrnGlobs
{
    /// <param name="names">The logical names to select.</param>
    /// <param name="program">Every logical name of the program (the selection must leave the others alone).</param>
    /// <param name="urnPrefix"><c>urn:pulumi:STACK::PROJECT::</c>.</param>
    public static IReadOnlyList<string> Covering(IReadOnlySet<string> names, IReadOnlyCollection<string> program, string urnPrefix)
    {
        ArgumentNullException.ThrowIfNull(names);
        var globs = new List<string>();
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in names.Order(StringComparer.Ordinal))
        {
            if (covered.Contains(name)) continue;
            var (glob, family) = Cover(name, names, program);
            globs.Add($"{urnPrefix}**::{glob}");
            covered.UnionWith(family);
        }
        return globs;
    }

    /// <summary>What follows <c>**::</c> in the glob for <paramref name="name"/>, and the names it selects.</summary>
    private static (string Glob, IReadOnlyList<string> Family) Cover(string name, IReadOnlySet<string> names, IReadOnlyCollection<string> program)
    {
        if (SafePrefix(name, names, program) is { } prefix)
        {
            var family = names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            // A prefix that covers one name would also take names the program may gain later: name it in full.
            if (family.Count > 1) return (prefix + "*", family);
        }
        return (name, [name]);
    }

    /// <summary>The shortest prefix of <paramref name="name"/> ending in <c>-</c> that selects nothing of the program outside <paramref name="names"/>.</summary>
    private static string? SafePrefix(string name, IReadOnlySet<string> names, IReadOnlyCollection<string> program)
    {
        for (var dash = name.IndexOf('-', StringComparison.Ordinal); dash >= 0 && dash < name.Length - 1; dash = name.IndexOf('-', dash + 1))
        {
            var prefix = name[..(dash + 1)];
            if (program.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).All(names.Contains)) return prefix;
        }
        return null;
    }
}
