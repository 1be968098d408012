using System.CommandLine;
using EsDr.Infra.Compilation;
using EsDr.Infra.Config;
using EsDr.Infra.Program;

namespace EsDr.Compiler;

/// <summary>
/// The command Pulumi's YAML language host runs (<c>runtime.options.compiler</c>). Pulumi runs it twice:
/// <c>Run</c> sets the per-stack variables and it prints the stack's program; <c>GetRequiredPackages</c> /
/// <c>GetProgramDependencies</c> set none of them and it prints a program naming every provider package at
/// its pinned version. Both calls inherit the CLI's whole environment (pulumi-yaml's <c>LoadFromCompiler</c>
/// appends <c>os.Environ()</c>), which holds other <c>PULUMI_*</c> variables in any real deployment
/// (<c>PULUMI_CONFIG_PASSPHRASE</c>, <c>PULUMI_BACKEND_URL</c>, <c>PULUMI_ACCESS_TOKEN</c>), so the two are
/// told apart by the per-stack variables alone. Only the program goes to stdout; diagnostics go to stderr.
/// </summary>
internal static class ProgramCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var command = new Command("program", "Print the Pulumi program for the stack Pulumi is running (reads PULUMI_PROJECT, PULUMI_STACK, PULUMI_CONFIG).");
        command.SetAction(_ => Execute(Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .ToDictionary(e => (string)e.Key, e => (string?)e.Value ?? ""), stdout, stderr));
        return command;
    }

    public static int Execute(IReadOnlyDictionary<string, string> environment, TextWriter stdout, TextWriter stderr)
    {
        if (IsPluginListCall(environment))
        {
            stdout.Write(ProgramYamlWriter.Write(ProviderPackages.ManifestProgram(ProjectFile.DefaultProjectName)));
            return ExitCodes.Ok;
        }

        var project = environment.GetValueOrDefault("PULUMI_PROJECT") ?? ProjectFile.DefaultProjectName;
        var stack = environment.GetValueOrDefault("PULUMI_STACK") ?? "";
        try
        {
            var config = PulumiConfigVariables.ReadConfig(environment.GetValueOrDefault(PulumiConfigVariables.Config) ?? "{}");
            // Pulumi YAML's Run passes only PULUMI_STACK/ORGANIZATION/PROJECT/CONFIG/ROOT_DIRECTORY to a
            // compiler (pulumi-yaml pkg/server/server.go), so which keys are secret is usually unknown here:
            // null. The program reads every secret through fn::secret either way; the offline `show` reads
            // secret-ness from the file and warns about a secret stored in plain text.
            var secretKeys = environment.TryGetValue(PulumiConfigVariables.SecretKeys, out var s) && s.Length > 0
                ? PulumiConfigVariables.ReadSecretKeys(s)
                : null;
            return Emit(project, stack, config, secretKeys, stdout, stderr);
        }
        catch (InvalidConfigException e)
        {
            foreach (var error in e.Errors) stderr.WriteLine($"error: {error}");
            return ExitCodes.InvalidConfig;
        }
    }

    /// <summary>
    /// The per-stack variables only pulumi-yaml's <c>Run</c> sets (<c>pkg/server/server.go</c>); the plugin-list
    /// call sets neither, whatever else the CLI's environment carries.
    /// </summary>
    private static readonly string[] PerStackVariables = ["PULUMI_STACK", "PULUMI_CONFIG"];

    internal static bool IsPluginListCall(IReadOnlyDictionary<string, string> environment) =>
        !PerStackVariables.Any(environment.ContainsKey);

    internal static int Emit(string project, string stack, IReadOnlyDictionary<string, string> config,
        IReadOnlyCollection<string>? secretKeys, TextWriter stdout, TextWriter stderr)
    {
        var compiled = StackCompilation.TryCompile(project, stack, config, secretKeys, stderr);
        return compiled is null ? ExitCodes.InvalidConfig : ProgramOutput.Print(compiled, stdout, stderr);
    }
}
