using YamlDotNet.RepresentationModel;

namespace EsDr.Recovery.Execute.Pulumi;

/// <summary>
/// Whether pulumi finds a stack file by itself. Without <c>--config-file</c>, <c>config set</c> and <c>up</c> use
/// <c>Pulumi.&lt;stack&gt;.&lt;ext&gt;</c> beside the nearest project file up from the working directory, or in its
/// <c>stackConfigDir</c> (pkg/cmd/pulumi/stack/io.go <c>LoadProjectStack</c>/<c>SaveProjectStack</c> →
/// sdk/go/common/workspace/paths.go <c>DetectProjectStackPath</c>, <c>ProjectStackPath</c>). Recovery runs pulumi
/// in the stack file's directory; any other stack file (every example under <c>stacks/</c>, or a <c>--stack</c> not
/// named by the file) must be passed, or <c>config set</c> writes a partial file of its own that <c>up</c> then compiles.
/// </summary>
internal static class PulumiConfigFile
{
    /// <summary>Project file extensions in the order pulumi tries them (sdk/go/common/encoding/marshal.go <c>Exts</c>).</summary>
    private static readonly string[] ProjectExtensions = [".json", ".yaml", ".yml"];

    /// <summary>
    /// The <c>--config-file</c> value for <paramref name="stackFile"/>: its file name, since pulumi runs in its
    /// directory (a relative path is read from the working directory); null when pulumi would pick that file itself.
    /// </summary>
    public static string? ArgumentFor(string stackFile, string stack)
    {
        ArgumentException.ThrowIfNullOrEmpty(stackFile);
        ArgumentException.ThrowIfNullOrEmpty(stack);
        var path = Path.GetFullPath(stackFile);
        return IsPulumisDefault(path, stack) ? null : Path.GetFileName(path);
    }

    /// <summary>
    /// True only when the project file sits beside the stack file (so it is the one pulumi finds first), has no
    /// <c>stackConfigDir</c>, and the file is named after the stack; anything else gets the flag, which is never wrong.
    /// </summary>
    private static bool IsPulumisDefault(string path, string stack)
    {
        var directory = Path.GetDirectoryName(path)!;
        // An org- or project-qualified --stack (org/project/name) is stored under its name alone.
        var name = stack[(stack.LastIndexOf('/') + 1)..];
        foreach (var extension in ProjectExtensions)
        {
            var project = Path.Combine(directory, "Pulumi" + extension);
            if (File.Exists(project))
                return !HasStackConfigDir(project) && Path.GetFileName(path) == $"Pulumi.{name}{extension}";
        }
        return false;
    }

    private static bool HasStackConfigDir(string projectFile)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(projectFile)));
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode root
            && root.Children.ContainsKey(new YamlScalarNode("stackConfigDir"));
    }
}
