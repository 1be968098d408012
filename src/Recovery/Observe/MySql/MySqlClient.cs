using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace EsDr.Recovery.Observe.MySql;

/// <summary>
/// Where and as whom to reach one region's MySQL/MariaDB server over TCP. The password never leaves this
/// object except into a 0600 option file; <see cref="ToString"/> leaves it out.
/// </summary>
internal sealed class MySqlEndpoint(string region, string host, int port, string user, string password)
{
    public string Region { get; } = region;
    public string Host { get; } = host;
    public int Port { get; } = port;
    public string User { get; } = user;
    public string Password { get; } = password;

    /// <summary>PEM CA that signed the server's certificate: set, the client insists on verified TLS.</summary>
    public string? CaPath { get; init; }

    public override string ToString() => $"{User}@{Host}:{Port.ToString(CultureInfo.InvariantCulture)} ({Region})";
}

/// <summary>One statement's result set: column names and rows (SQL NULL as <see langword="null"/>).</summary>
internal sealed record MySqlRows(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string?>> Rows)
{
    public static readonly MySqlRows Empty = new([], []);

    public int Count => Rows.Count;

    /// <summary>The first column of the first row, or <see langword="null"/> when there is none.</summary>
    public string? Scalar => Rows.Count > 0 && Rows[0].Count > 0 ? Rows[0][0] : null;

    /// <summary>The value of <paramref name="column"/> in row <paramref name="row"/>, or <see langword="null"/> when absent.</summary>
    public string? Value(int row, params string[] column)
    {
        foreach (var name in column)
        {
            for (var i = 0; i < Columns.Count; i++)
            {
                if (string.Equals(Columns[i], name, StringComparison.OrdinalIgnoreCase))
                {
                    return Rows[row][i];
                }
            }
        }
        return null;
    }
}

/// <summary>
/// The server (or the client) refused a statement. <see cref="ErrorCode"/> is the error number the client printed
/// (1290 for a write against read_only, 2003 for a server that cannot be reached), when it printed one.
/// The message never carries the password.
/// </summary>
internal sealed class MySqlException(string message, int? errorCode = null, Exception? inner = null) : Exception(message, inner)
{
    public int? ErrorCode { get; } = errorCode;

    /// <summary>
    /// The server itself answered with this error, so it is up: any number outside the client library's own
    /// ranges — 2000–2999 (CR_MIN_ERROR..CR_MAX_ERROR, connection and protocol failures) and 1–999 (global errors
    /// the client can raise too), https://dev.mysql.com/doc/mysql-errors/8.0/en/client-error-reference.html.
    /// False when the client never reached a server, or failed without a number.
    /// </summary>
    public bool ServerAnswered => IsServerError(ErrorCode);

    internal static bool IsServerError(int? code) => code is >= 1000 and not (>= 2000 and <= 2999);
}

/// <summary>
/// Runs SQL against a server through the <c>mariadb</c> command-line client, in batch mode, thin and at
/// the edge. Credentials go in an option file created 0600 for the one run (<c>--defaults-extra-file</c>),
/// so they never appear in argv, <c>ps</c> or logs; the SQL goes in on stdin.
/// </summary>
/// <remarks>
/// Column names are kept (batch mode without <c>-N</c>) because replica status is read by column name.
/// A statement without a result set, or with an empty one, prints nothing.
/// </remarks>
internal sealed partial class MySqlClient(string clientPath = "mariadb", TimeSpan? timeout = null)
{
    private const string Redacted = "[secret]";
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(30);

    public string ClientPath { get; } = clientPath;

    /// <summary>Runs <paramref name="sql"/> (one statement) and returns its rows.</summary>
    public Task<MySqlRows> QueryAsync(MySqlEndpoint endpoint, string sql, CancellationToken cancellationToken = default) =>
        QueryAsync(endpoint, sql, null, cancellationToken);

    /// <summary>Runs <paramref name="sql"/> (one statement) with its own bound on the client's run time.</summary>
    public async Task<MySqlRows> QueryAsync(MySqlEndpoint endpoint, string sql, TimeSpan? timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(sql);
        var optionFile = WriteOptionFile(endpoint);
        try
        {
            var start = BuildStartInfo(endpoint, optionFile);
            var (exitCode, stdout, stderr) = await RunAsync(start, sql, timeout ?? _timeout, endpoint, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw Failure(endpoint, exitCode, stderr);
            }
            return Parse(stdout);
        }
        finally
        {
            File.Delete(optionFile);
        }
    }

    /// <summary>The first value of the first row.</summary>
    public async Task<string?> ScalarAsync(MySqlEndpoint endpoint, string sql, CancellationToken cancellationToken = default) =>
        (await QueryAsync(endpoint, sql, cancellationToken).ConfigureAwait(false)).Scalar;

    /// <summary>The command line for one run: connection and TLS flags only, the credentials by file.</summary>
    internal ProcessStartInfo BuildStartInfo(MySqlEndpoint endpoint, string optionFile)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var start = new ProcessStartInfo(ClientPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
        };
        // --defaults-extra-file must be the first option.
        start.ArgumentList.Add($"--defaults-extra-file={optionFile}");
        start.ArgumentList.Add("--protocol=TCP");
        start.ArgumentList.Add($"--host={endpoint.Host}");
        start.ArgumentList.Add($"--port={endpoint.Port.ToString(CultureInfo.InvariantCulture)}");
        start.ArgumentList.Add("--connect-timeout=5");
        start.ArgumentList.Add("--batch");
        start.ArgumentList.Add("--default-character-set=utf8mb4");
        if (endpoint.CaPath is not null)
        {
            start.ArgumentList.Add("--ssl");
            start.ArgumentList.Add($"--ssl-ca={endpoint.CaPath}");
            start.ArgumentList.Add("--ssl-verify-server-cert");
        }
        return start;
    }

    /// <summary>The <c>[client]</c> section with user and password, quoted and escaped for the option-file parser.</summary>
    internal static string OptionFileText(MySqlEndpoint endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return $"[client]\nuser={Quote(endpoint.User, "user")}\npassword={Quote(endpoint.Password, "password")}\n";
    }

    private static string Quote(string value, string what)
    {
        if (value.Any(char.IsControl))
        {
            // Said without the value: it may be the password.
            throw new ArgumentException($"The MySQL {what} must not contain control characters.", nameof(value));
        }
        return "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
    }

    internal static string WriteOptionFile(MySqlEndpoint endpoint)
    {
        var text = OptionFileText(endpoint);
        var path = Path.Combine(Path.GetTempPath(), $"esdr-mysql-{Guid.NewGuid():N}.cnf");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var stream = new FileStream(path, options))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(text);
        }
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        ProcessStartInfo start, string sql, TimeSpan timeout, MySqlEndpoint endpoint, CancellationToken cancellationToken)
    {
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new MySqlException($"{start.FileName} did not start.");
        }
        catch (Win32Exception e)
        {
            throw new MySqlException($"The MySQL client '{start.FileName}' could not be run (Debian: apt-get install mariadb-client): {e.Message}", null, e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            try
            {
                await process.StandardInput.WriteAsync(sql.AsMemory(), deadline.Token).ConfigureAwait(false);
                await process.StandardInput.WriteAsync("\n".AsMemory(), deadline.Token).ConfigureAwait(false);
                process.StandardInput.Close();
                await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                cancellationToken.ThrowIfCancellationRequested();
                throw new TimeoutException($"{Path.GetFileName(start.FileName)} against {endpoint} did not finish within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
            }
            catch (IOException) when (process.HasExited)
            {
                // The client quit before reading stdin (it could not connect); its exit code and stderr say why.
                await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            }
            return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
        }
    }

    private static MySqlException Failure(MySqlEndpoint endpoint, int exitCode, string stderr)
    {
        var text = Redact(stderr.Trim(), endpoint.Password);
        var match = ErrorLine().Match(text);
        int? code = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        var exit = exitCode.ToString(CultureInfo.InvariantCulture);
        var what = MySqlException.IsServerError(code) ? $"answered with error {code!.Value.ToString(CultureInfo.InvariantCulture)}"
            : code is >= 2000 and <= 2999 ? "unreachable"
            : "failed";
        return new MySqlException($"MySQL at {endpoint} {what} (exit {exit}): {text}", code);
    }

    internal static string Redact(string text, string secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, Redacted, StringComparison.Ordinal);

    /// <summary>Batch output: a header line of column names, then one tab-separated line per row, values escaped.</summary>
    internal static MySqlRows Parse(string stdout)
    {
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0)
        {
            return MySqlRows.Empty;
        }
        var columns = lines[0].Split('\t').Select(c => Unescape(c)!).ToArray();
        var rows = new List<IReadOnlyList<string?>>(lines.Length - 1);
        foreach (var line in lines.Skip(1))
        {
            rows.Add(line.Split('\t').Select(v => v == "NULL" ? null : Unescape(v)).ToArray());
        }
        return new MySqlRows(columns, rows);
    }

    private static string? Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }
        var sb = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                sb.Append(value[i] switch { 'n' => '\n', 't' => '\t', '0' => '\0', _ => value[i] });
            }
            else
            {
                sb.Append(value[i]);
            }
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"ERROR (\d+) \(", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorLine();
}
