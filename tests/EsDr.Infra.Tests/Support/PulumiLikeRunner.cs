using System.Diagnostics;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Support;

/// <summary>
/// Runs the compiler the way Pulumi's YAML language host does (pulumi-yaml <c>pkg/server/server.go</c>,
/// <c>pkg/pulumiyaml/run.go</c>): the <c>runtime.options.compiler</c> command from Pulumi.yaml, in the project
/// directory, with the CLI's whole environment (<c>LoadFromCompiler</c> appends <c>os.Environ()</c>) and, for
/// <c>Run</c> only, the five per-stack variables. A stand-in for the Pulumi CLI, which cannot be installed here.
/// </summary>
internal static class PulumiLikeRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>The variables only <c>Run</c> sets; the plugin-list calls set none of them.</summary>
    public static readonly IReadOnlyList<string> PerStackVariables =
        ["PULUMI_STACK", "PULUMI_PROJECT", "PULUMI_ORGANIZATION", "PULUMI_CONFIG", "PULUMI_ROOT_DIRECTORY"];

    /// <summary>
    /// What the CLI's environment holds in a real deployment (the README's deploy steps, the CI workflow):
    /// the local backend's passphrase, a backend URL, an access token, a Pulumi home. The compiler inherits it.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> DeployingShell = new Dictionary<string, string>
    {
        ["PULUMI_CONFIG_PASSPHRASE"] = "passphrase-of-the-deploying-shell",
        ["PULUMI_BACKEND_URL"] = "s3://team-state-bucket/es-dr",
        ["PULUMI_ACCESS_TOKEN"] = "pul-0000000000000000000000000000000000000000",
        ["PULUMI_HOME"] = "/home/deployer/.pulumi",
        ["PULUMI_SKIP_UPDATE_CHECK"] = "true",
    };

    public static string CompilerCommand()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "Pulumi.yaml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return ((YamlScalarNode)root["runtime"]["options"]["compiler"]).Value!;
    }

    /// <summary>
    /// <c>GetRequiredPackages</c> / <c>GetProgramDependencies</c>: the CLI's environment
    /// (<paramref name="cliEnvironment"/>, by default <see cref="DeployingShell"/>) and no per-stack variable.
    /// </summary>
    public static Result ListPlugins(IReadOnlyDictionary<string, string>? cliEnvironment = null) =>
        Run(cliEnvironment ?? DeployingShell, new Dictionary<string, string>());

    /// <summary><c>Run</c>: the CLI's environment plus the five per-stack variables.</summary>
    /// <param name="secretKeys">The keys Pulumi reports as secret (<c>PULUMI_CONFIG_SECRET_KEYS</c>), if any.</param>
    public static Result RunForStack(string stack, IReadOnlyDictionary<string, string> config, IReadOnlyList<string>? secretKeys = null,
        IReadOnlyDictionary<string, string>? cliEnvironment = null)
    {
        var variables = new Dictionary<string, string>
        {
            ["PULUMI_STACK"] = stack,
            ["PULUMI_PROJECT"] = TestConfig.Project,
            ["PULUMI_ORGANIZATION"] = "organization",
            ["PULUMI_CONFIG"] = JsonSerializer.Serialize(config),
            ["PULUMI_ROOT_DIRECTORY"] = Repository.Root,
        };
        if (secretKeys is { Count: > 0 }) variables["PULUMI_CONFIG_SECRET_KEYS"] = JsonSerializer.Serialize(secretKeys);
        return Run(cliEnvironment ?? DeployingShell, variables);
    }

    /// <summary>
    /// Runs the compiler with this process's environment, less its own <c>PULUMI_*</c> variables (the test
    /// runner's are not the CLI's), plus <paramref name="cliEnvironment"/> and then <paramref name="perStack"/>.
    /// </summary>
    public static Result Run(IReadOnlyDictionary<string, string> cliEnvironment, IReadOnlyDictionary<string, string> perStack)
    {
        var parts = CompilerCommand().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // A shell started in the project directory resolves ./bin/es-dr there; so do we.
        var executable = parts[0].Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(Path.Combine(Repository.Root, parts[0])) : parts[0];
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in parts.Skip(1)) start.ArgumentList.Add(arg);
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("PULUMI_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (k, v) in cliEnvironment) start.Environment[k] = v;
        foreach (var (k, v) in perStack) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the compiler did not finish within 5 minutes");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
