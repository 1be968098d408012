using System.Diagnostics;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace EsDr.Infra.Tests.Support;

/// <summary>
/// Runs the compiler the way Pulumi's YAML language host does: the <c>runtime.options.compiler</c>
/// command from Pulumi.yaml, in the project directory, with the stack's <c>PULUMI_*</c> variables (or
/// none of them, as when Pulumi lists the plugins to install). A stand-in for the Pulumi CLI, which
/// cannot be installed here.
/// </summary>
internal static class PulumiLikeRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static string CompilerCommand()
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "Pulumi.yaml"))));
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        return ((YamlScalarNode)root["runtime"]["options"]["compiler"]).Value!;
    }

    /// <param name="secretKeys">The keys Pulumi reports as secret (<c>PULUMI_CONFIG_SECRET_KEYS</c>), if any.</param>
    public static Result RunForStack(string stack, IReadOnlyDictionary<string, string> config, IReadOnlyList<string>? secretKeys = null)
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
        return Run(variables);
    }

    /// <summary>Runs with the given PULUMI_* variables and every other PULUMI_* variable of this process removed.</summary>
    public static Result Run(IReadOnlyDictionary<string, string> pulumiVariables)
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
        foreach (var (k, v) in pulumiVariables) start.Environment[k] = v;
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
