namespace EsDr.Infra.Renderers;

/// <summary>
/// The POSIX shell script that installs a new haproxy.cfg on a running HAProxy VM. It reads the config on
/// stdin into a temporary file, waits for first boot to finish (which installs HAProxy), has
/// <c>haproxy -c</c> check it, and only when it passes installs it (an atomic rename) and reloads HAProxy.
/// A rejected config changes nothing and the script fails with haproxy's message; an unchanged config
/// is neither rewritten nor reloaded. It runs as root or, on images whose admin user is not root, through sudo.
/// </summary>
public static class HaproxyPushScript
{
    /// <summary>Written by cloud-init when first boot (package installation, runcmd) has finished.</summary>
    public const string BootFinishedMarker = "/var/lib/cloud/instance/boot-finished";

    /// <summary>How long to wait for first boot before giving up.</summary>
    public const int BootWaitSeconds = 900;

    /// <param name="configPath">The running config, e.g. <see cref="CloudInit.HaproxyConfigFile"/>.</param>
    /// <param name="bootFinishedMarker">A file whose existence means first boot is over.</param>
    public static string Render(string configPath, string bootFinishedMarker = BootFinishedMarker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(configPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(bootFinishedMarker);
        return $$"""
            set -eu
            target={{Quote(configPath)}}
            marker={{Quote(bootFinishedMarker)}}
            if [ "$(id -u)" -eq 0 ]; then as_root=; else as_root='sudo -n'; fi
            new=$(mktemp /tmp/es-dr-haproxy.XXXXXX)
            trap 'rm -f "$new"' EXIT
            cat > "$new"
            waited=0
            while [ ! -e "$marker" ]; do
              if [ "$waited" -ge {{BootWaitSeconds}} ]; then echo "first boot has not finished after {{BootWaitSeconds}}s; $target left unchanged" >&2; exit 1; fi
              sleep 5; waited=$((waited + 5))
            done
            if ! check=$($as_root haproxy -c -f "$new" 2>&1); then
              printf 'haproxy -c rejected the new config; %s left unchanged:\n%s\n' "$target" "$check" >&2
              exit 1
            fi
            if cmp -s "$new" "$target"; then echo "$target unchanged"; exit 0; fi
            $as_root cp "$new" "$target.es-dr-new"
            $as_root chmod 0644 "$target.es-dr-new"
            $as_root mv -f "$target.es-dr-new" "$target"
            $as_root systemctl reload haproxy
            echo "$target installed; haproxy reloaded"

            """;
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
