using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EsDr.Recovery.Observe.MySql;

namespace EsDr.Benchmarks.RecoveryLatency;

/// <summary>
/// Benchmark only, never product code: the transport recovery used before MySqlConnector — one <c>mariadb</c>
/// process per statement, credentials in a 0600 option file, the SQL on stdin, batch output parsed — kept so
/// <c>recovery-latency.sh</c> can compare the two on the same promotion. Error numbers 2000–2999 are the C client's
/// own (2003: no server), everything else at or above 1000 the server's.
/// </summary>
internal sealed partial class CliMySqlClient(TimeSpan commandTimeout) : IMySqlClient
{
    private const string ClientPath = "mariadb";

    public async Task<MySqlRows> QueryAsync(MySqlEndpoint endpoint, string sql, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(sql);
        var optionFile = WriteOptionFile(endpoint);
        try
        {
            var (exitCode, stdout, stderr) = await RunAsync(StartInfo(endpoint, optionFile), sql, timeout ?? commandTimeout, cancellationToken).ConfigureAwait(false);
            return exitCode == 0 ? Parse(stdout) : throw Failure(endpoint, stderr);
        }
        finally
        {
            File.Delete(optionFile);
        }
    }

    private static ProcessStartInfo StartInfo(MySqlEndpoint endpoint, string optionFile)
    {
        var start = new ProcessStartInfo(ClientPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        // --defaults-extra-file must come first; the password is in it, never in argv.
        string[] arguments =
        [
            $"--defaults-extra-file={optionFile}", "--protocol=TCP", $"--host={endpoint.Host}",
            $"--port={endpoint.Port.ToString(CultureInfo.InvariantCulture)}", "--connect-timeout=5", "--batch", "--default-character-set=utf8mb4",
        ];
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (endpoint.CaPath is { } ca)
        {
            foreach (var argument in new[] { "--ssl", $"--ssl-ca={ca}", "--ssl-verify-server-cert" }) start.ArgumentList.Add(argument);
        }
        return start;
    }

    private static string WriteOptionFile(MySqlEndpoint endpoint)
    {
        var path = Path.Combine(Path.GetTempPath(), $"esdr-bench-mysql-{Guid.NewGuid():N}.cnf");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        stream.Write(new UTF8Encoding(false).GetBytes($"[client]\nuser={Quote(endpoint.User)}\npassword={Quote(endpoint.Password)}\n"));
        return path;
    }

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(ProcessStartInfo start, string sql, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.StandardInput.WriteAsync((sql + "\n").AsMemory(), deadline.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        catch (IOException) when (process.HasExited)
        {
            // It quit before reading stdin (it could not connect): its exit code and stderr say why.
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static MySqlException Failure(MySqlEndpoint endpoint, string stderr)
    {
        var text = stderr.Trim().Replace(endpoint.Password, "[secret]", StringComparison.Ordinal);
        var match = ErrorLine().Match(text);
        int? code = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        var failure = code switch
        {
            >= 2000 and <= 2999 => MySqlFailure.Unreachable,
            >= 1000 => MySqlFailure.ServerError,
            _ => MySqlFailure.Broken,
        };
        return new MySqlException($"MySQL at {endpoint} (CLI): {text}", failure, code);
    }

    /// <summary>Batch output: a header of column names, one tab-separated line per row, values escaped, NULL as NULL.</summary>
    private static MySqlRows Parse(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0) return MySqlRows.Empty;
        var columns = lines[0].Split('\t').Select(c => Unescape(c)).ToArray();
        var rows = lines.Skip(1).Select(line => (IReadOnlyList<string?>)line.Split('\t').Select(v => v == "NULL" ? null : Unescape(v)).ToArray()).ToList();
        return new MySqlRows(columns, rows);
    }

    private static string Unescape(string value) =>
        !value.Contains('\\', StringComparison.Ordinal) ? value : EscapedCharacter().Replace(value, m => m.Groups[1].Value switch
        {
            "n" => "\n",
            "t" => "\t",
            "0" => "\0",
            var other => other,
        });

    [GeneratedRegex(@"ERROR (\d+) \(", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorLine();

    [GeneratedRegex(@"\\(.)", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex EscapedCharacter();
}
