using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Config;

/// <summary>Pulumi.yaml: where the project name comes from when working offline.</summary>
public static class ProjectFile
{
    public const string DefaultProjectName = "es-dr";

    /// <summary>The project name from the Pulumi.yaml beside (or above) the stack file.</summary>
    public static string ProjectNameFor(string stackFile)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(stackFile));
        while (dir is not null)
        {
            var candidate = Path.Combine(dir, "Pulumi.yaml");
            if (File.Exists(candidate))
            {
                var stream = new YamlStream();
                stream.Load(new StringReader(File.ReadAllText(candidate)));
                if (stream.Documents[0].RootNode is YamlMappingNode root &&
                    root.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode { Value: { } n })
                    return n;
            }
            dir = Path.GetDirectoryName(dir);
        }
        return DefaultProjectName;
    }

    /// <summary>The directory of the nearest Pulumi.yaml beside or above the stack file (where pulumi runs), if any.</summary>
    public static string? DirectoryFor(string stackFile)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(stackFile));
        while (dir is not null && !File.Exists(Path.Combine(dir, "Pulumi.yaml"))) dir = Path.GetDirectoryName(dir);
        return dir;
    }
}
