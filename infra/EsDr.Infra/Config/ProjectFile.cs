using System.Text.Json.Nodes;

namespace EsDr.Infra.Config;

/// <summary>Pulumi.yaml: where the project name comes from when working offline.</summary>
public static class ProjectFile
{
    public const string DefaultProjectName = "es-dr";

    /// <summary>The project name from the Pulumi.yaml beside (or above) the stack file.</summary>
    /// <exception cref="ConfigFileUnreadableException">That Pulumi.yaml is not a regular file or cannot be read.</exception>
    /// <exception cref="InvalidConfigException">That Pulumi.yaml is empty, not YAML, or names no project.</exception>
    public static string ProjectNameFor(string stackFile) =>
        DirectoryFor(stackFile) is { } dir ? NameIn(Path.Combine(dir, "Pulumi.yaml")) : DefaultProjectName;

    /// <summary>Pulumi refuses a project file without a name; so do we, rather than guess one.</summary>
    private static string NameIn(string projectFile)
    {
        var root = ConfigYaml.Read(ConfigFileText.Read(projectFile, "project file"), projectFile);
        if (root is JsonObject o && o["name"] is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0) return name;
        throw new InvalidConfigException([new ConfigError(projectFile, "has no project name (name: <project>)")]);
    }

    /// <summary>The directory of the nearest Pulumi.yaml beside or above the stack file (where pulumi runs), if any.</summary>
    public static string? DirectoryFor(string stackFile)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(stackFile));
        while (dir is not null && !File.Exists(Path.Combine(dir, "Pulumi.yaml"))) dir = Path.GetDirectoryName(dir);
        return dir;
    }
}
