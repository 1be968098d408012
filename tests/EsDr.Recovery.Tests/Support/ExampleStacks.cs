using EsDr.Infra.Config;
using EsDr.Recovery.Tests.Operate;

namespace EsDr.Recovery.Tests.Support;

/// <summary>The repository's example stack files (<c>Pulumi.*.yaml</c> at its root and under <c>stacks/</c>), loaded as recovery loads them.</summary>
internal static class ExampleStacks
{
    public static string Root { get; } = OperatorTestbed.FindRoot();

    /// <summary>Every example stack file, relative to the repository root.</summary>
    public static IReadOnlyList<string> Files { get; } =
    [
        .. Directory.GetFiles(Root, "Pulumi.*.yaml").Concat(Directory.GetFiles(Path.Combine(Root, "stacks"), "Pulumi.*.yaml"))
            .Select(f => Path.GetRelativePath(Root, f)).Order(StringComparer.Ordinal),
    ];

    public static StackConfig Load(string relative)
    {
        var path = Path.Combine(Root, relative);
        var project = ProjectFile.ProjectNameFor(path);
        var file = EsDr.Infra.Config.StackFile.Load(path, project);
        return StackConfigParser.Parse(project, file.Stack, file.Config, file.SecretKeys);
    }
}
