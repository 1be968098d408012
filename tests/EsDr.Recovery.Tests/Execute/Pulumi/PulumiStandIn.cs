using System.Diagnostics;
using System.Text;
using System.Text.Json;
using EsDr.Recovery.Execute.Pulumi;
using EsDr.Recovery.Plan;

namespace EsDr.Recovery.Tests.Execute.Pulumi;

/// <summary>
/// A stand-in <c>pulumi</c> (a bash script in a temp dir, put first on the child's PATH). It accepts exactly the flags,
/// positional arguments and flag combinations of <see cref="PulumiFlags"/> — the script's tables are generated from
/// the CLI's flag table that class reads — and rejects anything else as the real CLI does (exit 2, "unknown flag:
/// --x"). Every call's argv is recorded as one JSON line.
/// </summary>
internal sealed class PulumiStandIn : IDisposable
{
    private readonly string root;

    public PulumiStandIn()
    {
        root = Directory.CreateTempSubdirectory("pulumi-standin-").FullName;
        BinDirectory = Path.Combine(root, "bin");
        ProjectDirectory = Path.Combine(root, "project");
        Directory.CreateDirectory(BinDirectory);
        Directory.CreateDirectory(ProjectDirectory);
        var script = Path.Combine(BinDirectory, "pulumi");
        File.WriteAllText(script, Script(Path.Combine(root, "state")));
        if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("the stand-in pulumi is a bash script");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(root, "state"));
        StackOutputJson = "{}";
        Version = "v3.259.0";
        UpSummary = "Resources:\n    3 unchanged\n\nDuration: 1s\n";
    }

    public string BinDirectory { get; }
    public string ProjectDirectory { get; }

    /// <summary>The child's PATH: the stand-in first, then this process's PATH (this process's own PATH is not touched).</summary>
    public string SearchPath => BinDirectory + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");

    /// <summary>What <c>stack output --json</c> prints.</summary>
    public string StackOutputJson { set => File.WriteAllText(State("stack-output.json"), value); }

    /// <summary>
    /// What <c>stack output NAME --json</c> prints for a secret output: the value with <c>--show-secrets</c>, the
    /// string <c>"[secret]"</c> without (as the real CLI masks secrets).
    /// </summary>
    public void SetSecretOutput(string name, string json) => File.WriteAllText(State($"secret-output-{name}.json"), json);

    /// <summary>From now on only <paramref name="command"/> (e.g. "up") fails, with this stderr and exit code.</summary>
    public void FailOnly(string command, string stderr, int exitCode = 255)
    {
        File.WriteAllText(State("fail-only.txt"), command);
        FailWith(stderr, exitCode);
    }

    /// <summary>Stops failing.</summary>
    public void Recover()
    {
        File.Delete(State("fail-stderr.txt"));
        File.Delete(State("fail-exit.txt"));
        File.Delete(State("fail-only.txt"));
    }

    /// <summary>What <c>version</c> prints (the real CLI prints e.g. <c>v3.259.0</c>).</summary>
    public string Version { set => File.WriteAllText(State("version.txt"), value + "\n"); }

    /// <summary>
    /// From now on every <c>config set</c> changes <paramref name="stackFile"/>, as the real CLI changes the stack file:
    /// the stand-in appends the command as a YAML comment line (it does not edit the value itself), so the file differs
    /// from what was committed exactly when a recovery ran a config step.
    /// </summary>
    public void ApplyConfigSetTo(string stackFile) => File.WriteAllText(State("config-target.txt"), stackFile);

    /// <summary>What <c>up</c> prints.</summary>
    public string UpSummary { set => File.WriteAllText(State("up-summary.txt"), value); }

    /// <summary>From now on every known command fails with this stderr and exit code.</summary>
    public void FailWith(string stderr, int exitCode = 255)
    {
        File.WriteAllText(State("fail-stderr.txt"), stderr);
        File.WriteAllText(State("fail-exit.txt"), exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>A <see cref="PulumiProcess"/> that finds this stand-in through its own environment.</summary>
    public PulumiProcess Process(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>(), StringComparer.Ordinal)
        {
            ["PATH"] = SearchPath,
        };
        return new PulumiProcess(new PulumiProcessOptions(ProjectDirectory) { Environment = env });
    }

    /// <summary>Every recorded call's argv, in order.</summary>
    public IReadOnlyList<string[]> Calls =>
        File.Exists(State("calls.jsonl"))
            ? File.ReadAllLines(State("calls.jsonl")).Select(l => JsonSerializer.Deserialize<string[]>(l)!).ToList()
            : [];

    /// <summary>Runs the script directly with any argv (bypassing <see cref="PulumiCommand"/>'s own check).</summary>
    public async Task<PulumiResult> RunDirectAsync(params string[] argv)
    {
        var startInfo = new ProcessStartInfo(Path.Combine(BinDirectory, "pulumi"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = ProjectDirectory,
        };
        foreach (var arg in argv) startInfo.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new PulumiResult(process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(root, recursive: true);

    private string State(string name) => Path.Combine(root, "state", name);

    /// <summary>cobra's refusal of two flags of one <c>MarkFlagsMutuallyExclusive</c> group, as the bash tables say it.</summary>
    private static void AppendExclusiveGroups(StringBuilder sb, string command, PulumiFlags.Flags flags)
    {
        var groups = PulumiFlags.ExclusiveGroups.GetValueOrDefault(command) ?? [];
        foreach (var spelling in flags.Value.Concat(flags.Switch).Concat(flags.OptionalValue))
        {
            var member = PulumiFlags.LongName(spelling);
            if (groups.Any(g => g.Contains(member)))
                sb.Append("MEMBER[").Append(Quote(command + "|" + spelling)).Append("]=").Append(Quote(member)).Append('\n');
        }
        sb.Append("EXCLUSIVE[").Append(Quote(command)).Append("]=").Append(Quote(string.Join(';', groups.Select(g => string.Join(' ', g))))).Append('\n');
    }

    private static string Script(string stateDir)
    {
        var sb = new StringBuilder();
        sb.Append("#!/usr/bin/env bash\n");
        sb.Append("# Stand-in pulumi, generated by PulumiStandIn from EsDr.Recovery.Plan.PulumiFlags.\n");
        sb.Append("set -u\n");
        sb.Append("STATE=").Append(Quote(stateDir)).Append('\n');
        sb.Append("declare -A KIND MINARGS MAXARGS MEMBER EXCLUSIVE SET\n");
        foreach (var (command, flags) in PulumiFlags.Table)
        {
            var key = command.Length == 0 ? "*" : command;
            foreach (var f in flags.Value) sb.Append("KIND[").Append(Quote(key + "|" + f)).Append("]=value\n");
            foreach (var f in flags.Switch) sb.Append("KIND[").Append(Quote(key + "|" + f)).Append("]=switch\n");
            foreach (var f in flags.OptionalValue) sb.Append("KIND[").Append(Quote(key + "|" + f)).Append("]=optional\n");
            if (command.Length == 0) continue;
            sb.Append("MINARGS[").Append(Quote(command)).Append("]=").Append(flags.MinArgs).Append('\n');
            sb.Append("MAXARGS[").Append(Quote(command)).Append("]=").Append(flags.MaxArgs).Append('\n');
            AppendExclusiveGroups(sb, command, flags);
        }
        sb.Append(Body);
        return sb.ToString();
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private const string Body = """
        json_str() {
          local s=$1
          s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}
          printf '"%s"' "$s"
        }
        line="["; sep=""
        for a in "$@"; do line+="$sep$(json_str "$a")"; sep=","; done
        printf '%s]\n' "$line" >> "$STATE/calls.jsonl"

        fail() { printf 'error: %s\n' "$1" >&2; exit 2; }

        cmd=""; shift_n=0
        if [ $# -ge 2 ] && [ -n "${MINARGS["$1 $2"]+x}" ]; then cmd="$1 $2"; shift_n=2
        elif [ $# -ge 1 ] && [ -n "${MINARGS["$1"]+x}" ]; then cmd="$1"; shift_n=1
        else fail "unknown command \"${1:-}\" for \"pulumi\""; fi
        shift "$shift_n"

        positionals=(); json=0; show=0
        while [ $# -gt 0 ]; do
          a=$1; shift
          if [ "$a" = "--" ]; then positionals+=("$@"); break; fi
          case "$a" in
            -?*) ;;
            *) positionals+=("$a"); continue ;;
          esac
          name=${a%%=*}
          member=${MEMBER["$cmd|$name"]:-}
          if [ -n "$member" ]; then SET[$member]=1; fi
          kind=${KIND["$cmd|$name"]:-${KIND["*|$name"]:-}}
          case "$kind" in
            value)
              if [ "$name" = "$a" ]; then
                [ $# -gt 0 ] || fail "flag needs an argument: $name"
                shift
              fi ;;
            switch)
              if [ "$name" != "$a" ]; then
                v=${a#*=}
                [ "$v" = true ] || [ "$v" = false ] || fail "invalid argument \"$v\" for \"$name\" flag"
              fi
              if [ "$name" = "--json" ] || [ "$name" = "-j" ]; then json=1; fi
              if [ "$name" = "--show-secrets" ]; then show=1; fi ;;
            optional) ;;
            *) fail "unknown flag: $name" ;;
          esac
        done
        n=${#positionals[@]}
        if [ "$n" -lt "${MINARGS[$cmd]}" ] || [ "$n" -gt "${MAXARGS[$cmd]}" ]; then
          fail "pulumi $cmd accepts between ${MINARGS[$cmd]} and ${MAXARGS[$cmd]} arg(s), received $n"
        fi

        IFS=';' read -ra groups <<< "${EXCLUSIVE[$cmd]}"
        for group in "${groups[@]}"; do
          set_in_group=()
          for member in $group; do if [ -n "${SET[$member]+x}" ]; then set_in_group+=("${member#--}"); fi; done
          if [ "${#set_in_group[@]}" -gt 1 ]; then
            fail "if any flags in the group [${group//--/}] are set none of the others can be; [${set_in_group[*]}] were all set"
          fi
        done

        if [ -f "$STATE/fail-stderr.txt" ] && { [ ! -f "$STATE/fail-only.txt" ] || [ "$(cat "$STATE/fail-only.txt")" = "$cmd" ]; }; then
          cat "$STATE/fail-stderr.txt" >&2
          exit "$(cat "$STATE/fail-exit.txt")"
        fi

        case "$cmd" in
          "stack output")
            if [ "$n" = 1 ] && [ -f "$STATE/secret-output-${positionals[0]}.json" ]; then
              if [ "$show" = 1 ]; then cat "$STATE/secret-output-${positionals[0]}.json"; else echo '"[secret]"'; fi
            elif [ "$json" = 1 ]; then cat "$STATE/stack-output.json"; else echo "Current stack outputs:"; fi ;;
          "up") cat "$STATE/up-summary.txt" ;;
          "version") cat "$STATE/version.txt" ;;
          "config set")
            if [ -f "$STATE/config-target.txt" ]; then printf '# pulumi config set %s\n' "${positionals[*]}" >> "$(cat "$STATE/config-target.txt")"; fi ;;
          "preview"|"refresh") echo "Resources:"; echo "    3 unchanged" ;;
          *) ;;
        esac
        exit 0

        """;
}
